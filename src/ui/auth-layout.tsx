import type { Child, FC } from 'hono/jsx';
import type { Config } from '../config';

const STYLE = `*{box-sizing:border-box}body{font:16px/1.5 system-ui,sans-serif;color:#1a1a1a;background:#f6f7f9;margin:0}
main{max-width:26rem;margin:3rem auto;padding:2rem;background:#fff;border:1px solid #d9dce1;border-radius:8px}
h1{font-size:1.4rem;margin:0 0 1rem}label{display:block;margin:.75rem 0 .25rem;font-weight:600}
input{width:100%;padding:.55rem;border:1px solid #8a8f98;border-radius:4px;font:inherit}
button,.provider{display:block;width:100%;padding:.6rem;margin:.5rem 0;border-radius:4px;font:inherit;text-align:center;cursor:pointer}
button{background:#1d4ed8;color:#fff;border:0}.provider{border:1px solid #8a8f98;color:#1a1a1a;text-decoration:none;background:#fff}
:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}.error{background:#fdecec;border:1px solid #c62828;color:#8e1b1b;padding:.75rem;border-radius:4px}
.muted{color:#555;font-size:.9rem}hr{border:0;border-top:1px solid #d9dce1;margin:1.5rem 0}`;

/** The plain shell shared by the sign-in page and the sign-in error pages. */
export const AuthLayout: FC<{ title: string; children?: Child }> = ({ title, children }) => (
  <html lang="en">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <meta name="referrer" content="no-referrer" />
      <title>{`${title} · Kubegram`}</title>
      <style>{STYLE}</style>
    </head>
    <body>
      <main>{children}</main>
    </body>
  </html>
);

/**
 * These pages need inline styles and may submit a form whose answer redirects to an allowed
 * origin (CSP form-action also governs that redirect); nothing else, and never a script.
 */
export function authPageCsp(config: Config): string {
  const formTargets = ["'self'", ...config.allowedOrigins].join(' ');
  return [
    "default-src 'none'",
    "style-src 'unsafe-inline'",
    `form-action ${formTargets}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
}
