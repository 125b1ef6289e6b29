// Serves a built page directory on 127.0.0.1 (a secure context, so WebGPU is available without https), with the
// content types the page needs (scans, checkpoints). Usage: node serve.mjs [DIRECTORY] [--port N]
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json',
  '.json': 'application/json',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
};

/** Serves `root`'s files (GET and HEAD); resolves to the page's URL and a close function. */
export async function serveDirectory(root, port = 0) {
  const base = resolve(root);
  const server = createServer((request, response) => {
    let path;
    try {
      path = decodeURIComponent(new URL(request.url ?? '/', 'http://127.0.0.1').pathname);
    } catch {
      response.writeHead(400, { 'content-type': 'text/plain' }).end('bad request');
      return;
    }
    const file = normalize(join(base, path === '/' ? 'index.html' : path));
    if (!file.startsWith(base + sep) || !existsSync(file) || !statSync(file).isFile()) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    response.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'content-length': statSync(file).size,
      'cache-control': 'no-store',
    });
    if (request.method === 'HEAD') response.end();
    else createReadStream(file).pipe(response);
  });
  await new Promise((done, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', done);
  });
  const url = `http://127.0.0.1:${server.address().port}/`;
  const close = () =>
    new Promise((done) => {
      server.close(() => done());
      server.closeAllConnections();
    });
  return { url, close };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  if (args.includes('--help')) {
    console.log('Usage: node serve.mjs [DIRECTORY] [--port N]\n  DIRECTORY  the built page (default: dist beside this script)\n  --port N   port on 127.0.0.1 (default: a free one)');
  } else {
    const portIndex = args.indexOf('--port');
    const port = portIndex >= 0 ? Number(args[portIndex + 1]) : 0;
    const directory = args.filter((_, index) => portIndex < 0 || (index !== portIndex && index !== portIndex + 1))[0] ?? join(dirname(fileURLToPath(import.meta.url)), 'dist');
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      console.error(`error: --port must be an integer in 0..65535, got '${args[portIndex + 1]}'`);
      process.exitCode = 1;
    } else if (!existsSync(join(directory, 'index.html'))) {
      console.error(`error: ${join(directory, 'index.html')} does not exist; run \`node build.mjs\` first`);
      process.exitCode = 1;
    } else {
      const { url } = await serveDirectory(directory, port);
      console.log(`serving ${resolve(directory)} at ${url} (Ctrl-C stops)`);
    }
  }
}
