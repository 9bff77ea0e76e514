// A real OpenID Connect provider for the SSO tests: panva's oidc-provider (a certified
// implementation), configured like a council's identity provider.
//
//   node tests/sso/provider.mjs <config.json>
//
// The JSON file names the port, the clients (with their redirect and post-logout URIs) and
// a file of test accounts. Accounts are read again at every sign-in, so a test can take a
// person out of a group between two sign-ins. Each account: {"password", "email", "name",
// "given_name", "family_name", "groups": [...], "amr": [...]}; the account's key is its
// subject (`sub`).
//
// The provider requires PKCE (S256) of every client, offers RP-initiated logout, and signs
// in through a small login page of its own (username, password, Cancel). Consent is
// granted automatically, as a council grants it for its own applications. It prints
// "listening <issuer>" once it is ready.

import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const issuer = `http://127.0.0.1:${config.port}`;

const readAccounts = () => JSON.parse(readFileSync(config.accounts, 'utf8'));

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'test-key-1', alg: 'RS256', use: 'sig' };

const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const page = (title, body) => `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title></head>
<body><main><h1>${escape(title)}</h1>${body}</main></body></html>`;

const provider = new Provider(issuer, {
  clients: config.clients,
  jwks: { keys: [signingKey] },
  pkce: { required: () => true },
  // Groups and amr come with every sign-in, as Entra ID's do (no scope asks for them).
  claims: {
    openid: ['sub', 'groups', 'amr'],
    email: ['email', 'email_verified'],
    profile: ['name', 'given_name', 'family_name'],
  },
  // The ID token carries the claims, as Entra ID's does (its user info endpoint has no groups).
  conformIdTokenClaims: false,
  async findAccount(ctx, sub) {
    const account = readAccounts()[sub];
    if (!account) return undefined;
    return {
      accountId: sub,
      async claims() {
        return {
          sub,
          email: account.email,
          email_verified: true,
          name: account.name,
          given_name: account.given_name,
          family_name: account.family_name,
          groups: account.groups ?? [],
        };
      },
    };
  },
  // Consent is given by the council for its own applications: no consent page.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) {
      const existing = await ctx.oidc.provider.Grant.find(grantId);
      if (existing) return existing;
    }
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid email profile');
    await grant.save();
    return grant;
  },
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: {
      enabled: true,
      async logoutSource(ctx, form) {
        ctx.body = page('Sign out', `${form}
          <p>Do you want to sign out of the test identity provider?</p>
          <button type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button>
          <button type="submit" form="op.logoutForm">No, stay signed in</button>`);
      },
    },
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  ttl: { Session: 3600, Interaction: 600, Grant: 3600, IdToken: 600, AccessToken: 600 },
  cookies: { keys: ['test-only-cookie-key'] },
  renderError(ctx, out) {
    ctx.type = 'html';
    ctx.body = page('Error', `<pre>${escape(JSON.stringify(out))}</pre>`);
  },
});

const loginForm = (uid, error = '') => page('Sign in to the test identity provider', `
  ${error ? `<p role="alert">${escape(error)}</p>` : ''}
  <form method="post" action="/interaction/${uid}">
    <label for="username">Username</label>
    <input id="username" name="username" autocomplete="off">
    <label for="password">Password</label>
    <input id="password" name="password" type="password">
    <button type="submit">Sign in</button>
  </form>
  <p><a href="/interaction/${uid}/abort">Cancel</a></p>`);

async function readBody(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  return new URLSearchParams(body);
}

async function interaction(req, res, uid, action) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) throw new Error('interaction mismatch');
  if (action === 'abort') {
    await provider.interactionFinished(req, res, {
      error: 'access_denied', error_description: 'The person cancelled signing in',
    }, { mergeWithLastSubmission: false });
    return;
  }
  if (req.method === 'GET') {
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.end(loginForm(uid));
    return;
  }
  const form = await readBody(req);
  const username = form.get('username') ?? '';
  const account = readAccounts()[username];
  if (!account || account.password !== form.get('password')) {
    res.statusCode = 401;
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.end(loginForm(uid, 'Wrong username or password'));
    return;
  }
  await provider.interactionFinished(req, res, {
    // The ID token's `amr` claim: how the person signed in (["pwd", "mfa"] with a second factor).
    login: { accountId: username, amr: account.amr ?? ['pwd'] },
  }, { mergeWithLastSubmission: false });
}

const callback = provider.callback();
const server = createServer((req, res) => {
  const match = req.url.match(/^\/interaction\/([\w-]+)(\/abort)?$/);
  if (!match) {
    callback(req, res);
    return;
  }
  interaction(req, res, match[1], match[2] ? 'abort' : 'submit').catch((error) => {
    res.statusCode = 500;
    res.end(String(error));
  });
});

server.listen(config.port, '127.0.0.1', () => {
  console.log(`listening ${issuer}`);
});
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
