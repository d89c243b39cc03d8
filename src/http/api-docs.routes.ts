// The API's description for integrators: the OpenAPI document at /api/openapi.json and a reference page at /api/docs
// (Swagger UI, served from the swagger-ui-dist package: nothing is fetched from the internet). Both are public: they
// describe routes, never data, and the order system's team reads them before it has a key.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Router, type Response } from 'express';
import { buildApiDocument } from './api-description';
import { NotFound } from '../errors/domain-errors';

/** The files of swagger-ui-dist the page uses; nothing else of the package is served. */
const PACKAGE_FILES: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

/** Our start script, a file rather than inline so the page's CSP needs no 'unsafe-inline' for scripts. */
const START_SCRIPT = `window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({ url: '/api/openapi.json', dom_id: '#swagger-ui', deepLinking: true, validatorUrl: null, tryItOutEnabled: false, persistAuthorization: false });
});
`;

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Hotline API reference</title>
<link rel="icon" type="image/png" href="/api/docs/assets/favicon-32x32.png">
<link rel="stylesheet" href="/api/docs/assets/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/api/docs/assets/swagger-ui-bundle.js"></script>
<script src="/api/docs/assets/start.js"></script>
</body>
</html>
`;

/**
 * Swagger UI sets style attributes from script, so this page (only) allows inline styles; scripts, data and
 * everything else stay on 'self'. Replaces helmet's policy for these responses.
 */
const DOCS_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "frame-ancestors 'self'",
  "form-action 'self'",
].join('; ');

/** The version in package.json of the working directory (where npm start runs), or 'unknown'. */
export function serviceVersion(): string {
  try {
    return String((JSON.parse(fs.readFileSync(path.resolve('package.json'), 'utf8')) as { version?: unknown }).version ?? 'unknown');
  } catch {
    return 'unknown';
  }
}

function packageDir(): string {
  return path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
}

export function apiDocsRoutes(d: { version?: string } = {}): Router {
  let document: Record<string, unknown> | undefined;
  let dir: string | undefined;
  const docsPage = (res: Response) => res.set('Content-Security-Policy', DOCS_CSP).set('Cache-Control', 'no-cache');
  const router = Router();

  router.get('/api/openapi.json', (_req, res) => {
    document ??= buildApiDocument({ version: d.version ?? serviceVersion() });
    res.set('Cache-Control', 'no-cache').json(document);
  });

  router.get('/api/docs', (_req, res) => {
    docsPage(res).type('html').send(PAGE);
  });

  router.get('/api/docs/assets/:file', (req, res) => {
    const file = req.params.file;
    docsPage(res).set('Cache-Control', 'public, max-age=86400');
    if (file === 'start.js') return void res.type('text/javascript; charset=utf-8').send(START_SCRIPT);
    const type = Object.hasOwn(PACKAGE_FILES, file) ? PACKAGE_FILES[file] : undefined;
    if (!type) throw new NotFound(`No such file: ${file.slice(0, 80)}`);
    dir ??= packageDir();
    res.type(type).sendFile(path.join(dir, file));
  });

  return router;
}
