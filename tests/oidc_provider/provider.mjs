// The OpenID provider the staff service's tests sign in against: the certified `oidc-provider` package with
// clients and users given by the test, PKCE required for every client, and a scripted login (a plain HTML form
// that a test posts over HTTP: no browser needed). Test use only: in-memory storage, a fresh signing key per run.
//
//   node provider.mjs            (settings in the environment)
//
//   OIDC_PORT                    port on 127.0.0.1 (required)
//   OIDC_ISSUER                  the issuer it names itself (default http://127.0.0.1:<port>); a test that puts a
//                                proxy in front of it gives the proxy's URL
//   OIDC_CLIENTS                 JSON list of {"client_id", "client_secret", "redirect_uris": [...]}
//   OIDC_USERS_FILE              JSON object: login -> {"password", "claims": {"email", "email_verified", ...}}
//                                (default: users.json beside this file)
//   OIDC_CLAIMS_IN_ID_TOKEN      "1": the scopes' claims go into the ID token too (as Keycloak does), else only
//                                to the UserInfo endpoint (the standard's rule for the code flow)
//   OIDC_ID_TOKEN_TTL_SECONDS    lifetime of ID tokens (default 300)
//   OIDC_CLOCK_OFFSET_SECONDS    runs the provider's clock this far off (negative: behind), so that with a short
//                                ID token lifetime it issues tokens that are already expired
//
// It prints "listening <issuer>" once it accepts connections.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { generateKeyPairSync, randomBytes } from 'node:crypto';

import Provider, { errors } from 'oidc-provider';

const env = process.env;
const port = Number.parseInt(env.OIDC_PORT ?? '', 10);
if (!Number.isInteger(port)) {
  console.error('OIDC_PORT is required');
  process.exit(2);
}
const issuer = env.OIDC_ISSUER ?? `http://127.0.0.1:${port}`;
const clients = JSON.parse(env.OIDC_CLIENTS ?? '[]').map((client) => ({
  grant_types: ['authorization_code'],
  response_types: ['code'],
  token_endpoint_auth_method: 'client_secret_basic',
  ...client,
}));
const usersFile = env.OIDC_USERS_FILE ?? new URL('users.json', import.meta.url);
const users = JSON.parse(readFileSync(usersFile, 'utf8'));
const clockOffsetMs = Number.parseInt(env.OIDC_CLOCK_OFFSET_SECONDS ?? '0', 10) * 1000;
const idTokenTtl = Number.parseInt(env.OIDC_ID_TOKEN_TTL_SECONDS ?? '300', 10);

if (clockOffsetMs) {
  // oidc-provider takes every time (iat, exp, code and interaction expiry) from Date.now.
  const realNow = Date.now;
  Date.now = () => realNow() + clockOffsetMs;
}

const SCOPES = ['openid', 'email', 'profile', 'groups'];

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: randomBytes(8).toString('hex'), use: 'sig', alg: 'RS256' };

const provider = new Provider(issuer, {
  clients,
  jwks: { keys: [signingKey] },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  scopes: SCOPES,
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name'],
    groups: ['groups'],
  },
  conformIdTokenClaims: env.OIDC_CLAIMS_IN_ID_TOKEN !== '1',
  pkce: { required: () => true },
  features: { devInteractions: { enabled: false } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  // Interaction and session last an hour: long enough for the cookies to outlive a clock put minutes back.
  ttl: { IdToken: idTokenTtl, AccessToken: 600, AuthorizationCode: 60, Interaction: 3600, Grant: 3600, Session: 3600 },
  async findAccount(ctx, sub) {
    const user = users[sub];
    if (!user) return undefined;
    return { accountId: sub, claims: async () => ({ sub, ...user.claims }) };
  },
  // The test clients are first-party: what they ask for is granted without a consent screen.
  async loadExistingGrant(ctx) {
    const { client, session, params } = ctx.oidc;
    const grantId = ctx.oidc.result?.consent?.grantId || session.grantIdFor(client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
    grant.addOIDCScope(String(params.scope ?? 'openid').split(' ').filter((s) => SCOPES.includes(s)).join(' '));
    await grant.save();
    return grant;
  },
  renderError(ctx, out) {
    ctx.type = 'json';
    ctx.body = out;
  },
});

const html = (body) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Test provider</title></head>`
  + `<body>${body}</body></html>`;

function readForm(req) {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => { body += chunk; });
    req.on('end', () => resolve(new URLSearchParams(body)));
    req.on('error', reject);
  });
}

function send(res, status, body) {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(html(body));
}

// GET /interaction/<uid>: the login form; POST /interaction/<uid>/login: checks login and password.
async function interaction(req, res, uid, action) {
  let details;
  try {
    details = await provider.interactionDetails(req, res);
  } catch (error) {
    if (error instanceof errors.SessionNotFound) return send(res, 400, '<p>interaction expired or unknown</p>');
    throw error;
  }
  if (details.uid !== uid) return send(res, 400, '<p>interaction mismatch</p>');
  const form = `<form method="post" action="/interaction/${uid}/login">`
    + '<label>Login <input name="login" autocomplete="username"></label>'
    + '<label>Password <input name="password" type="password" autocomplete="current-password"></label>'
    + '<button type="submit">Sign in</button></form>';
  if (req.method === 'GET' && !action) return send(res, 200, form);
  if (req.method === 'POST' && action === 'login') {
    const body = await readForm(req);
    const user = users[body.get('login') ?? ''];
    if (!user || user.password !== body.get('password')) return send(res, 401, `<p>wrong login or password</p>${form}`);
    return provider.interactionFinished(req, res, { login: { accountId: body.get('login') } },
      { mergeWithLastSubmission: false });
  }
  return send(res, 405, '<p>method not allowed</p>');
}

const callback = provider.callback();
const server = createServer((req, res) => {
  const match = /^\/interaction\/([^/?]+)(?:\/([a-z]+))?(?:\?|$)/.exec(req.url ?? '');
  if (!match) return callback(req, res);
  return interaction(req, res, match[1], match[2]).catch((error) => {
    console.error(error);
    if (!res.headersSent) send(res, 500, '<p>error</p>');
  });
});
server.listen(port, '127.0.0.1', () => console.log(`listening ${issuer}`));
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => server.close(() => process.exit(0)));
