// A real OpenID provider (node-oidc-provider) for tokentray's tests and demo.
//
// Usage: node server.js [config.json]   (or OIDC_PROVIDER_CONFIG='{"port":0}')
// Prints exactly one line, "READY <issuer>", on stdout once listening; all
// diagnostics go to stderr. See README.md for the settings.

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

// Stdout is a protocol channel (the READY line), but oidc-provider prints its
// "you SHOULD change ..." notices with console.info. Route them to stderr
// before the library is loaded, which is why it is imported dynamically.
console.log = console.error;
console.info = console.error;
console.debug = console.error;
const { default: Provider } = await import('oidc-provider');

const DEVICE_CODE = 'urn:ietf:params:oauth:grant-type:device_code';
const DAY = 24 * 60 * 60;

function loadSettings() {
  let raw = '{}';
  if (process.argv[2]) {
    raw = readFileSync(process.argv[2], 'utf8');
  } else if (process.env.OIDC_PROVIDER_CONFIG) {
    raw = process.env.OIDC_PROVIDER_CONFIG;
  }
  const s = JSON.parse(raw);
  return {
    port: s.port ?? 0,
    accessTokenTTL: s.accessTokenTTL ?? 60,
    refreshTokenTTL: s.refreshTokenTTL ?? DAY,
    rotateRefreshToken: s.rotateRefreshToken ?? true,
    // JWT access tokens (RFC 9068) for a default resource, instead of
    // opaque ones: lets the token details window show decoded claims.
    jwtAccessTokens: s.jwtAccessTokens ?? false,
    clients: s.clients ?? [{
      client_id: 'tokentray',
      application_type: 'native',
      token_endpoint_auth_method: 'none',
      redirect_uris: ['http://127.0.0.1/callback'],
      grant_types: ['authorization_code', 'refresh_token', DEVICE_CODE],
      response_types: ['code'],
    }],
    // Lets a parent process (the Go test helper) guarantee we die with it:
    // it holds our stdin open and a crashed parent closes it.
    exitWithStdin: s.exitWithStdin ?? false,
  };
}

// Fresh signing keys per run: RS256 is what most RPs expect for ID tokens,
// ES256 is there so clients may pick it.
function signingKeys() {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
  return [
    { ...rsa, kid: 'rs256', alg: 'RS256', use: 'sig' },
    { ...ec, kid: 'es256', alg: 'ES256', use: 'sig' },
  ];
}

const settings = loadSettings();
const server = createServer();
await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(settings.port, '127.0.0.1', resolve);
});
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: settings.clients,
  jwks: { keys: signingKeys() },
  cookies: { keys: [randomBytes(32).toString('base64url')] },

  // Any login is accepted by devInteractions; the account is just its name.
  async findAccount(ctx, sub) {
    return {
      accountId: sub,
      async claims() {
        return {
          sub,
          name: sub,
          preferred_username: sub,
          email: `${sub}@example.test`,
          email_verified: true,
        };
      },
    };
  },
  claims: {
    acr: null,
    auth_time: null,
    iss: null,
    sid: null,
    openid: ['sub'],
    profile: ['name', 'preferred_username'],
    email: ['email', 'email_verified'],
  },

  features: {
    devInteractions: { enabled: true },
    deviceFlow: { enabled: true },
    introspection: { enabled: true },
    revocation: { enabled: true },
    ...(settings.jwtAccessTokens ? {
      resourceIndicators: {
        enabled: true,
        defaultResource: () => 'urn:tokentray:api',
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({
          scope: 'api:read',
          audience: 'urn:tokentray:api',
          accessTokenFormat: 'jwt',
          accessTokenTTL: settings.accessTokenTTL,
          jwt: { sign: { alg: 'RS256' } },
        }),
      },
    } : {}),
  },
  // S256 is the only method oidc-provider v9 implements; require it for
  // every client, confidential ones included.
  pkce: { required: () => true },

  // Refresh tokens for any client allowed to use them, without the
  // offline_access scope, as many real providers do for native apps.
  issueRefreshToken: async (ctx, client) => client.grantTypeAllowed('refresh_token'),
  // Keep tokens valid when the browser session ends (the default binds
  // tokens without offline_access to the provider's login session).
  expiresWithSession: async () => false,
  rotateRefreshToken: () => settings.rotateRefreshToken,

  ttl: {
    AccessToken: settings.accessTokenTTL,
    RefreshToken: settings.refreshTokenTTL,
    // A refresh token can't outlive its grant or session, so never let those
    // be the shorter limit.
    Grant: Math.max(settings.refreshTokenTTL, 14 * DAY),
    Session: Math.max(settings.refreshTokenTTL, 14 * DAY),
  },

  // Stated explicitly so a future default change can't block the
  // confidential clients tests configure.
  clientAuthMethods: ['none', 'client_secret_basic', 'client_secret_post', 'client_secret_jwt', 'private_key_jwt'],
  enabledJWA: {
    clientAuthSigningAlgValues: ['HS256', 'RS256', 'PS256', 'ES256', 'Ed25519', 'EdDSA'],
  },
});

// One line per error, for failing tests to show; these texts describe
// what was wrong, never the token values. error_detail says more than the
// response does (e.g. "refresh token already used").
function describe(err) {
  const extra = [err?.error_description, err?.error_detail].filter(Boolean).join('; ');
  return `${err?.name}: ${err?.message}${extra ? ` (${extra})` : ''}`;
}
for (const event of ['server_error', 'authorization.error', 'grant.error', 'introspection.error',
  'revocation.error', 'userinfo.error', 'end_session.error', 'device_authorization.error',
  'code_verification.error', 'device_resume.error']) {
  provider.on(event, (ctx, err) => console.error(`oidc-provider ${event}: ${describe(err)}`));
}

// oidc-provider validates static clients on first use; do it now so a bad
// test configuration fails at startup, with the reason, not mid-flow.
for (const { client_id: id } of settings.clients) {
  try {
    await provider.Client.find(id);
  } catch (err) {
    console.error(`invalid client ${JSON.stringify(id)}: ${describe(err)}`);
    process.exit(1);
  }
}

server.on('request', provider.callback());

function shutdown() {
  server.close(() => process.exit(0));
  server.closeAllConnections();
  // Don't hang on a stuck connection.
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
if (settings.exitWithStdin) {
  process.stdin.on('end', shutdown);
  process.stdin.on('error', shutdown);
  process.stdin.resume();
}

process.stdout.write(`READY ${issuer}\n`);
