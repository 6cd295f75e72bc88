import type { TestApp } from '../../helpers/test-app';
import { Browser, type Page } from './browser';

export interface SignInResult {
  /** Where the app finally sent the browser (a URL on the app's origin), if it got that far. */
  landed?: URL;
  /** The app's answer when it rendered a page instead (an error page). */
  page?: Page;
  browser: Browser;
}

/** True for app URLs that are not part of the sign-in machinery itself. */
export function leftSignIn(t: TestApp) {
  const origin = new URL(t.config.appUrl).origin;
  return (url: URL) =>
    url.origin !== new URL(t.config.appUrl).origin
      ? false
      : !url.pathname.startsWith('/oauth/') || url.origin !== origin;
}

/** Stops right before the browser is sent to the app's callback. */
export const atCallback = (url: URL) => /^\/oauth\/[^/]+\/callback$/.test(url.pathname);

/**
 * Drives a full sign-in through an IdP's login and consent forms (or the GitHub stand-in's
 * auto-approval): /oauth/{id} → provider → callback → landing. Stops at the first page that
 * is neither a redirect nor a provider form.
 */
export async function signIn(
  t: TestApp,
  start: string,
  login: string,
  browser = new Browser(t),
  options: { stopAtCallback?: boolean } = {},
): Promise<SignInResult & { callback?: URL }> {
  const appOrigin = new URL(t.config.appUrl).origin;
  const stop = (url: URL) =>
    options.stopAtCallback
      ? atCallback(url)
      : url.origin === appOrigin && !url.pathname.startsWith('/oauth/');
  let step: Page | URL = await browser.navigateUntil(start, stop);
  for (let i = 0; i < 5 && !(step instanceof URL); i++) {
    const page: Page = step;
    const fromProvider = new URL(page.url).origin !== appOrigin && /<form/i.test(page.body);
    if (!fromProvider) return { page, browser };
    step = await browser.submitForm(page, { login, password: 'any-password' }, stop);
  }
  if (step instanceof URL) {
    return options.stopAtCallback ? { callback: step, browser } : { landed: step, browser };
  }
  return { page: step, browser };
}
