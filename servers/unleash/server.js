// Starts Unleash for `cargo xtask servers` (servers/unleash/server.toml): on loopback,
// on the throwaway PostgreSQL the sweep starts, with an admin API token of its own.
const unleash = require('unleash-server');

unleash.start({
  db: {
    host: '127.0.0.1',
    port: Number(process.env.SWEEP_PG_PORT),
    user: 'sweep',
    password: '',
    database: 'unleash',
    ssl: false,
  },
  server: { host: '127.0.0.1', port: Number(process.env.SWEEP_PORT) },
  authentication: {
    initApiTokens: [
      { environment: '*', project: '*', secret: process.env.SWEEP_ADMIN_TOKEN, type: 'admin', tokenName: 'sweep' },
    ],
  },
  versionCheck: { enable: false },
  // The sweep's webhook addon (disabled, never sent) points at loopback, which Unleash
  // otherwise refuses as a private address.
  allowPrivateUrlInIntegration: true,
  getLogger: undefined,
});
