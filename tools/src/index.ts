/**
 * @motor-ts/tools: repo-private provisioning of real servers for tests, the demo and CI.
 * Import from here in tests (`server()`, `requires()`), or use `startServer()` / `provision()`
 * directly in scripts. Sources are TypeScript, run by vitest or tsx; nothing here is built.
 */
export { cacheDir, log, repoRoot } from './cache.ts'
export { CAPABILITY_NAMES, type Capabilities, type Capability, describe, probeServer, type ServerInfo, type Topology } from './capabilities.ts'
export {
  FERRETDB_VERSION,
  ferretPaths,
  isProvisioned,
  ProvisionError,
  provision,
  SECANTUSDB_VERSION,
  SERVER_KINDS,
  type ServerKind,
  secantusPaths,
} from './install.ts'
export { nodeBinary, nodePackageName, npmEnv, npmInstall, npmView } from './npm.ts'
export { freePort, type RunningServer, redact, type StartOptions, selectServerKind, startServer } from './server.ts'
export { missing, requires, server, suiteServer, uniqueName } from './test-helpers.ts'
