// A node-oidc-provider on loopback for the identity-provider tests: one client-credentials
// client, JWT access tokens (RFC 9068) for one resource, keys from a JSON file.
// Usage: node oidc_provider.mjs <path of oidc-provider's lib/index.js> <port> <keys.json>
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const [modulePath, port, keysFile] = process.argv.slice(2);
const { default: Provider } = await import(pathToFileURL(modulePath).href);
const { keys, resource, clientId, clientSecret } = JSON.parse(readFileSync(keysFile, 'utf8'));
const issuer = `http://127.0.0.1:${port}`;

const provider = new Provider(issuer, {
  clients: [{
    client_id: clientId,
    client_secret: clientSecret,
    grant_types: ['client_credentials'],
    redirect_uris: [],
    response_types: [],
    id_token_signed_response_alg: keys[0].alg,
  }],
  jwks: { keys },
  scopes: ['orders:read'],
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => resource,
      useGrantedResource: () => true,
      getResourceServerInfo: (ctx, indicator) => {
        if (indicator !== resource) throw new Error('unknown resource');
        return {
          scope: 'orders:read',
          audience: resource,
          accessTokenTTL: 300,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: keys[0].alg } },
        };
      },
    },
  },
});
provider.listen(Number(port), '127.0.0.1', () => {
  process.stdout.write(`listening ${issuer}\n`);
});
