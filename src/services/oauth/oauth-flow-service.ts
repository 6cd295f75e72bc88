import * as oidc from 'openid-client';
import type { SharedStore } from '../../cache/shared-store';
import type { Config } from '../../config';
import type { Database } from '../../db/client';
import type { Clock } from '../../lib/clock';
import type { Encryptor } from '../../lib/encryption';
import { constantTimeEqual, sha256Hex } from '../../lib/tokens';
import { type RequestMeta, recordAudit } from '../audit/audit-service';
import { OAuthFlowError } from './flow-error';
import { classifyUpstreamError } from './flow-errors-classify';
import type { OAuthLoginService } from './oauth-login-service';
import type { ProviderRegistry } from './provider-registry';
import { safeRedirect } from './redirect-target';
import type { ExternalProfile } from './types';

/** How long a started sign-in stays valid (the state cookie's lifetime). */
export const FLOW_TTL_SECONDS = 600;
const FLOW_AAD = 'oauth_flow_cookie';

/** What travels, encrypted, in the short-lived cookie between /oauth/{id} and its callback. */
interface FlowState {
  provider: string;
  state: string;
  nonce?: string;
  verifier: string;
  redirect: string;
  /** Set for ?link=true: the signed-in user and session that asked. */
  linkUserId?: number;
  linkSessionId?: string;
  expiresAt: number;
}

export interface StartedFlow {
  location: string;
  cookieValue: string;
}

export type CallbackOutcome =
  | { kind: 'signed_in'; token: string; redirect: string; userId: number }
  | { kind: 'linked'; redirect: string }
  | { kind: 'denied'; error: string; redirect: string };

export interface CallbackInput {
  providerId: string;
  /** The callback query string as received. */
  query: URLSearchParams;
  cookieValue: string | undefined;
  /** The signed-in user making the request, if any (for the link flow). */
  current?: { userId: number; sessionId: string };
  meta: RequestMeta;
}

export interface OAuthFlowServiceDeps {
  db: Database;
  store: SharedStore;
  encryptor: Encryptor;
  config: Config;
  clock: Clock;
  registry: ProviderRegistry;
  logins: OAuthLoginService;
}

/**
 * The browser sign-in flow: authorization code + PKCE (S256), one-time state, nonce for OIDC,
 * the RFC 9207 `iss` check, then the identity handed to OAuthLoginService.
 */
export class OAuthFlowService {
  constructor(private readonly deps: OAuthFlowServiceDeps) {}

  callbackUrl(providerId: string): string {
    return `${this.deps.config.appUrl}/oauth/${providerId}/callback`;
  }

  async start(
    providerId: string,
    options: { redirect?: string; link?: { userId: number; sessionId: string } },
  ): Promise<StartedFlow> {
    const provider = await this.deps.registry.get(providerId);
    if (!provider) throw new OAuthFlowError('unknown_provider', { provider: providerId });
    const upstream = this.deps.registry.upstream(provider);
    const flow: FlowState = {
      provider: provider.id,
      state: oidc.randomState(),
      nonce: upstream.usesNonce ? oidc.randomNonce() : undefined,
      verifier: oidc.randomPKCECodeVerifier(),
      redirect: safeRedirect(options.redirect, this.deps.config),
      linkUserId: options.link?.userId,
      linkSessionId: options.link?.sessionId,
      expiresAt: this.deps.clock.now() + FLOW_TTL_SECONDS * 1000,
    };
    let location: URL;
    try {
      location = await upstream.authorizationUrl({
        redirectUri: this.callbackUrl(provider.id),
        state: flow.state,
        nonce: flow.nonce,
        codeChallenge: await oidc.calculatePKCECodeChallenge(flow.verifier),
      });
    } catch (err) {
      throw classifyUpstreamError(err, 'discovery');
    }
    const cookieValue = this.deps.encryptor.encrypt(JSON.stringify(flow), FLOW_AAD);
    return { location: location.href, cookieValue };
  }

  /** Completes a sign-in; every refusal is audited and thrown as an OAuthFlowError. */
  async callback(input: CallbackInput): Promise<CallbackOutcome> {
    try {
      return await this.complete(input);
    } catch (err) {
      if (err instanceof OAuthFlowError) {
        await recordAudit(this.deps.db, {
          action: 'auth.oauth_failed',
          userId: input.current?.userId,
          details: { provider: input.providerId, reason: err.reason, ...err.details },
          ...input.meta,
        });
      }
      throw err;
    }
  }

  private async complete(input: CallbackInput): Promise<CallbackOutcome> {
    const { providerId, query } = input;
    const provider = await this.deps.registry.get(providerId);
    if (!provider) throw new OAuthFlowError('unknown_provider');
    const flow = this.openFlow(input.cookieValue, providerId);
    const returnedState = query.get('state');
    if (!returnedState) throw new OAuthFlowError('state_missing');
    if (!constantTimeEqual(returnedState, flow.state)) throw new OAuthFlowError('state_mismatch');
    if (!(await this.consumeState(flow.state))) throw new OAuthFlowError('state_replayed');

    const error = query.get('error');
    if (error) {
      const code = /^[a-z_]{1,64}$/.test(error) ? error : 'provider_error';
      await recordAudit(this.deps.db, {
        action: 'auth.oauth_denied',
        userId: input.current?.userId,
        details: { provider: providerId, error: code },
        ...input.meta,
      });
      return { kind: 'denied', error: code, redirect: flow.redirect };
    }
    if (!query.get('code')) throw new OAuthFlowError('missing_code');

    const upstream = this.deps.registry.upstream(provider);
    let expected: Awaited<ReturnType<typeof upstream.responseIssuer>>;
    try {
      expected = await upstream.responseIssuer();
    } catch (err) {
      throw classifyUpstreamError(err, 'discovery');
    }
    const iss = query.get('iss');
    if (expected && (iss !== null || expected.required) && iss !== expected.issuer) {
      throw new OAuthFlowError('issuer_mismatch', { received: iss?.slice(0, 200) ?? null });
    }

    const callbackUrl = new URL(this.callbackUrl(provider.id));
    callbackUrl.search = query.toString();
    let profile: ExternalProfile;
    try {
      profile = await upstream.exchange({
        callbackUrl,
        state: flow.state,
        nonce: flow.nonce,
        codeVerifier: flow.verifier,
      });
    } catch (err) {
      throw classifyUpstreamError(err, 'exchange');
    }

    if (flow.linkUserId !== undefined) {
      const current = input.current;
      if (
        !current ||
        current.userId !== flow.linkUserId ||
        current.sessionId !== flow.linkSessionId
      ) {
        throw new OAuthFlowError('link_session_lost');
      }
      await this.deps.logins.link(provider, profile, current.userId, input.meta);
      return { kind: 'linked', redirect: flow.redirect };
    }
    const result = await this.deps.logins.signIn(provider, profile, input.meta);
    return {
      kind: 'signed_in',
      token: result.token,
      redirect: flow.redirect,
      userId: result.user.id,
    };
  }

  private openFlow(cookieValue: string | undefined, providerId: string): FlowState {
    if (!cookieValue) throw new OAuthFlowError('state_missing');
    let flow: FlowState;
    try {
      flow = JSON.parse(this.deps.encryptor.decrypt(cookieValue, FLOW_AAD)) as FlowState;
    } catch {
      throw new OAuthFlowError('state_invalid');
    }
    if (typeof flow.expiresAt !== 'number' || flow.expiresAt < this.deps.clock.now()) {
      throw new OAuthFlowError('state_expired');
    }
    // Each provider has its own callback path: a response for one can never finish another.
    if (flow.provider !== providerId) throw new OAuthFlowError('state_mismatch');
    return flow;
  }

  /** True the first time a state is presented; a replayed callback is refused. */
  private async consumeState(state: string): Promise<boolean> {
    const key = `oauth:state:${sha256Hex(state)}`;
    const redis = this.deps.store.redis;
    if (redis && this.deps.store.status() === 'connected') {
      try {
        return (await redis.set(key, '1', 'EX', FLOW_TTL_SECONDS, 'NX')) === 'OK';
      } catch {
        // Redis failed mid-call: fall through to the best-effort path.
      }
    }
    if (await this.deps.store.get(key)) return false;
    await this.deps.store.set(key, '1', FLOW_TTL_SECONDS);
    return true;
  }
}
