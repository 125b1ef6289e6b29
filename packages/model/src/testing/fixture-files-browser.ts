/** The test fixtures in a page: test/fixtures/<path> as the browser harness serves it, /fixtures/<path>. */
export async function readFixture(path: string): Promise<Uint8Array> {
  const url = new URL(`/fixtures/${path}`, globalThis.location.href);
  const response = await fetch(url);
  if (!response.ok) throw new Error(`fixture ${path}: ${url} answered ${response.status} ${response.statusText}`);
  return new Uint8Array(await response.arrayBuffer());
}
