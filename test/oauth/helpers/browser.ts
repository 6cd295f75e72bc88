import type { TestApp } from '../../helpers/test-app';

interface StoredCookie {
  name: string;
  value: string;
  host: string;
  path: string;
}

export interface Page {
  status: number;
  url: string;
  headers: Headers;
  body: string;
}

/**
 * A browserless browser: a cookie jar (host + path scoped), manual redirect following and
 * form submission. Requests to the app's own origin go in-process through the test app;
 * everything else (the identity provider, the GitHub stand-in) over real loopback sockets.
 */
export class Browser {
  private cookies: StoredCookie[] = [];
  /** Every URL visited, in order (redirect hops included). */
  readonly visited: string[] = [];

  constructor(private readonly app: TestApp) {}

  private get appOrigin() {
    return new URL(this.app.config.appUrl).origin;
  }

  cookieHeader(url: URL): string {
    return this.cookies
      .filter(
        (c) =>
          c.host === url.host &&
          (url.pathname === c.path ||
            url.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`) ||
            c.path === '/'),
      )
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }

  cookie(name: string, host = new URL(this.app.config.appUrl).host): string | undefined {
    return this.cookies.find((c) => c.name === name && c.host === host)?.value;
  }

  setCookie(name: string, value: string, path = '/', host = new URL(this.app.config.appUrl).host) {
    this.cookies = this.cookies.filter(
      (c) => !(c.name === name && c.host === host && c.path === path),
    );
    this.cookies.push({ name, value, host, path });
  }

  private store(url: URL, headers: Headers) {
    for (const line of headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';').map((s) => s.trim());
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      let path = url.pathname.replace(/\/[^/]*$/, '') || '/';
      let expired = false;
      for (const attr of attrs) {
        const [k, v = ''] = attr.split('=');
        const key = k!.toLowerCase();
        if (key === 'path') path = v;
        if (key === 'max-age' && Number(v) <= 0) expired = true;
        if (key === 'expires' && new Date(v).getTime() < Date.now()) expired = true;
      }
      this.cookies = this.cookies.filter(
        (c) => !(c.name === name && c.host === url.host && c.path === path),
      );
      if (!expired) this.cookies.push({ name, value, host: url.host, path });
    }
  }

  /** One request, no redirect following. */
  async request(
    method: string,
    target: string,
    init: { body?: string; headers?: Record<string, string> } = {},
  ): Promise<Page> {
    const url = new URL(target, this.appOrigin);
    this.visited.push(url.href);
    const headers: Record<string, string> = {
      'user-agent': 'kubegram-test-browser',
      ...init.headers,
    };
    const cookie = this.cookieHeader(url);
    if (cookie) headers.cookie = cookie;
    const res =
      url.origin === this.appOrigin
        ? await this.app.request(url.pathname + url.search, { method, headers, body: init.body })
        : await fetch(url, { method, headers, body: init.body, redirect: 'manual' });
    this.store(url, res.headers);
    return { status: res.status, url: url.href, headers: res.headers, body: await res.text() };
  }

  /** Follows redirects like a browser (303 and 302 after POST become GET). */
  async navigate(
    target: string,
    init: { method?: string; body?: string; headers?: Record<string, string> } = {},
    maxHops = 20,
  ): Promise<Page> {
    let page = await this.request(init.method ?? 'GET', target, init);
    for (let hop = 0; hop < maxHops; hop++) {
      const location = page.headers.get('location');
      if (!location || page.status < 300 || page.status >= 400) return page;
      page = await this.request('GET', new URL(location, page.url).href);
    }
    throw new Error('too many redirects');
  }

  /**
   * Follows redirects but stops before the app's callback is requested, so a test can
   * inspect or tamper with the callback URL.
   */
  async navigateUntil(
    target: string,
    stop: (url: URL) => boolean,
    init: { method?: string; body?: string; headers?: Record<string, string> } = {},
  ): Promise<Page | URL> {
    let page = await this.request(init.method ?? 'GET', target, init);
    for (let hop = 0; hop < 20; hop++) {
      const location = page.headers.get('location');
      if (!location || page.status < 300 || page.status >= 400) return page;
      const next = new URL(location, page.url);
      if (stop(next)) return next;
      page = await this.request('GET', next.href);
    }
    throw new Error('too many redirects');
  }

  /** Submits the first form on the page, with these fields filled in. */
  async submitForm(
    page: Page,
    values: Record<string, string> = {},
    stop?: (url: URL) => boolean,
  ): Promise<Page | URL> {
    const form = /<form[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/i.exec(page.body);
    if (!form) throw new Error(`no form on ${page.url}: ${page.body.slice(0, 300)}`);
    const fields = new URLSearchParams();
    for (const input of form[2]!.matchAll(/<input[^>]*>/gi)) {
      const name = /name="([^"]*)"/.exec(input[0])?.[1];
      const value = /value="([^"]*)"/.exec(input[0])?.[1] ?? '';
      if (name) fields.set(name, decodeEntities(value));
    }
    for (const [k, v] of Object.entries(values)) fields.set(k, v);
    const action = new URL(decodeEntities(form[1]!), page.url).href;
    const init = {
      method: 'POST',
      body: fields.toString(),
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        origin: new URL(page.url).origin,
      },
    };
    return stop ? this.navigateUntil(action, stop, init) : this.navigate(action, init);
  }
}

function decodeEntities(s: string): string {
  return s
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&#x2F;/g, '/');
}
