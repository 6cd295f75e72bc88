import * as oidc from 'openid-client';
import { GitHubResponseError, GitHubTokenError } from '../../clients/identity/github-client';
import { UpstreamTimeoutError, UpstreamTooLargeError } from '../../clients/identity/upstream-http';
import { type FlowFailure, OAuthFlowError } from './flow-error';

function* causes(err: unknown): Generator<unknown> {
  let current: unknown = err;
  for (let depth = 0; current && depth < 8; depth++) {
    yield current;
    current = (current as { cause?: unknown }).cause;
  }
}

const UNREACHABLE_CODES = new Set([
  'OAUTH_TIMEOUT',
  'OAUTH_ABORT',
  'OAUTH_RESPONSE_IS_NOT_CONFORM',
]);

/** A short machine description of an upstream error for the audit log: never a token. */
function errorCode(err: unknown): string {
  for (const e of causes(err)) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code.slice(0, 80);
  }
  return (err as Error)?.name ?? 'Error';
}

/**
 * Maps whatever went wrong talking to a provider onto a flow failure. `phase` says whether we
 * were discovering the provider (before the redirect) or exchanging the code (after it).
 */
export function classifyUpstreamError(
  err: unknown,
  phase: 'discovery' | 'exchange',
): OAuthFlowError {
  if (err instanceof OAuthFlowError) return err;
  const detail = { error: errorCode(err), phase };
  const fail = (reason: FlowFailure) => new OAuthFlowError(reason, detail);
  for (const e of causes(err)) {
    if (e instanceof UpstreamTimeoutError) return fail('upstream_unavailable');
    if (e instanceof UpstreamTooLargeError) return fail('upstream_invalid_response');
    if (e instanceof GitHubTokenError) {
      return fail(
        e.error === 'bad_verification_code' ? 'code_rejected' : 'upstream_invalid_response',
      );
    }
    if (e instanceof GitHubResponseError) return fail('upstream_invalid_response');
    if (e instanceof oidc.ResponseBodyError) {
      return fail(e.error === 'invalid_grant' ? 'code_rejected' : 'upstream_invalid_response');
    }
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && UNREACHABLE_CODES.has(code))
      return fail('upstream_unavailable');
    const name = (e as { name?: unknown }).name;
    if (name === 'TimeoutError' || name === 'ConnectionRefused' || name === 'AbortError') {
      return fail('upstream_unavailable');
    }
  }
  // fetch() itself failing (refused, reset, DNS) surfaces as a TypeError.
  for (const e of causes(err)) if (e instanceof TypeError) return fail('upstream_unavailable');
  return fail(phase === 'exchange' ? 'id_token_invalid' : 'upstream_invalid_response');
}
