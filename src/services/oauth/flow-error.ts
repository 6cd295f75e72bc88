/**
 * Why a browser sign-in stopped. Routes render it as a page (never a 500); `reason` is the
 * machine code written to the audit log, `message` what the person reads.
 */
export type FlowFailure =
  | 'unknown_provider'
  | 'state_missing'
  | 'state_invalid'
  | 'state_expired'
  | 'state_mismatch'
  | 'state_replayed'
  | 'issuer_mismatch'
  | 'missing_code'
  | 'code_rejected'
  | 'upstream_unavailable'
  | 'upstream_invalid_response'
  | 'id_token_invalid'
  | 'email_unverified'
  | 'signup_closed'
  | 'account_exists'
  | 'account_disabled'
  | 'identity_taken'
  | 'link_session_lost';

const STATUS: Record<FlowFailure, number> = {
  unknown_provider: 404,
  state_missing: 400,
  state_invalid: 400,
  state_expired: 400,
  state_mismatch: 400,
  state_replayed: 400,
  issuer_mismatch: 400,
  missing_code: 400,
  code_rejected: 400,
  upstream_unavailable: 502,
  upstream_invalid_response: 502,
  id_token_invalid: 502,
  email_unverified: 403,
  signup_closed: 403,
  account_exists: 409,
  account_disabled: 403,
  identity_taken: 409,
  link_session_lost: 401,
};

const MESSAGES: Record<FlowFailure, string> = {
  unknown_provider: 'This sign-in provider does not exist or is switched off.',
  state_missing:
    'This sign-in could not be matched to your browser. It may have expired or been started in another browser. Please start again.',
  state_invalid: 'This sign-in could not be matched to your browser. Please start again.',
  state_expired: 'This sign-in took too long and has expired. Please start again.',
  state_mismatch:
    'This sign-in response does not belong to the sign-in you started. Please start again.',
  state_replayed: 'This sign-in response was already used. Please start again.',
  issuer_mismatch: 'The sign-in response did not come from the expected identity provider.',
  missing_code: 'The identity provider did not return an authorization code.',
  code_rejected:
    'The identity provider refused this sign-in (the code expired or was already used). Please start again.',
  upstream_unavailable: 'The identity provider could not be reached or did not answer in time.',
  upstream_invalid_response: 'The identity provider sent a response we could not use.',
  id_token_invalid: 'The identity provider’s response could not be verified.',
  email_unverified:
    'Your account at the identity provider has no verified email address. Verify one there, then try again.',
  signup_closed: 'Registration is closed on this server. Ask an administrator for an account.',
  account_exists:
    'An account with this email address already exists. Sign in with your existing method first, then link this provider from your account settings.',
  account_disabled: 'This account is disabled.',
  identity_taken: 'This identity is already linked to another account.',
  link_session_lost: 'You must be signed in to link an identity. Sign in and try again.',
};

export class OAuthFlowError extends Error {
  readonly status: number;
  constructor(
    readonly reason: FlowFailure,
    /** Extra audit details (never secrets, never tokens). */
    readonly details: Record<string, unknown> = {},
  ) {
    super(MESSAGES[reason]);
    this.status = STATUS[reason];
  }
}
