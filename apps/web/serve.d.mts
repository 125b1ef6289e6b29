/** Serves `root`'s files on 127.0.0.1 (`port` 0: a free one); resolves to the page's URL and a close function. */
export function serveDirectory(root: string, port?: number): Promise<{ url: string; close: () => Promise<void> }>;
