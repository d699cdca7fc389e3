// Serves a production build of the app (packages/app/dist) for
// frontend-operations-tab.mjs, so the benchmark measures minified code as
// users get it rather than the development server.
//
//   APP_CONFIG_backend_baseUrl=http://localhost:7007 yarn --cwd packages/app build
//   PORT=3000 node bench/frontend-serve-dist.mjs
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import zlib from 'node:zlib';

const root = path.resolve(process.env.DIST ?? 'packages/app/dist');
const port = Number(process.env.PORT ?? 3000);
const types = {
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.html': 'text/html',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

http
  .createServer((req, res) => {
    const url = new URL(req.url, 'http://localhost');
    let file = path.join(root, decodeURIComponent(url.pathname));
    // Client-side routes fall back to the app shell.
    if (!file.startsWith(root) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      file = path.join(root, 'index.html');
    }
    const body = fs.readFileSync(file);
    const gzip = /\bgzip\b/.test(req.headers['accept-encoding'] ?? '');
    res.writeHead(200, {
      'content-type': types[path.extname(file)] ?? 'application/octet-stream',
      ...(gzip && { 'content-encoding': 'gzip' }),
      'cache-control': file.includes(`${path.sep}static${path.sep}`) ? 'max-age=31536000' : 'no-cache',
    });
    res.end(gzip ? zlib.gzipSync(body) : body);
  })
  .listen(port, () => console.log(`serving ${root} on http://localhost:${port}`));
