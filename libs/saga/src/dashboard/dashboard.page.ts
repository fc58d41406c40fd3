import { createHash } from 'node:crypto';

/*
 * The operator dashboard served at `GET /dta`: one self-contained page (inline CSS and vanilla JS, no build
 * step, nothing from another origin). It holds no data: the browser fetches everything from the operator API
 * (`/admin/sagas`, bearer token typed in by the operator and kept in sessionStorage) and from `/dta/flows`.
 *
 * The script runs in the browser: it inserts every value with `textContent` (never `innerHTML`), and it is
 * written without backticks, `${` or backslashes, since it lives in template strings (`dashboard.script.ts`
 * and its two views).
 */
import { DASHBOARD_BODY } from './dashboard.markup';
import { DASHBOARD_SCRIPT } from './dashboard.script';
import { DASHBOARD_STYLE } from './dashboard.style';

const sha256 = (text: string): string => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>DTA sagas</title>
<link rel="icon" href="data:,">
<style>${DASHBOARD_STYLE}</style>
</head>
<body>
${DASHBOARD_BODY}
<script>${DASHBOARD_SCRIPT}</script>
</body>
</html>
`;

/**
 * The `Content-Security-Policy` of the page: only this origin, its one inline script and style by hash, no
 * frames, forms posting nowhere.
 */
const DASHBOARD_CSP = [
  "default-src 'self'",
  `script-src ${sha256(DASHBOARD_SCRIPT)}`,
  `style-src ${sha256(DASHBOARD_STYLE)}`,
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The operator dashboard's HTML (`GET /dta`): self-contained, no data inside. */
export function dashboardPage(): string {
  return DASHBOARD_HTML;
}

/** The `Content-Security-Policy` header `GET /dta` answers with (script and style allowed by hash). */
export function dashboardContentSecurityPolicy(): string {
  return DASHBOARD_CSP;
}
