#!/usr/bin/env node
/**
 * `prepublishOnly` of every published package: refuses any publish not made by pnpm.
 * npm (or yarn) publishing from a package folder would ship `workspace:*` ranges that no
 * registry can resolve; pnpm rewrites them to real versions. Release from the repo root
 * with `pnpm release` (see RELEASING.md).
 */
const agent = process.env.npm_config_user_agent ?? ''
if (!agent.startsWith('pnpm/')) {
  console.error(
    `motor-ts packages are published with pnpm only (this is "${agent.split(' ')[0] || 'unknown'}"): ` +
      'npm would ship unresolvable "workspace:*" ranges. From the repo root run `pnpm release` (see RELEASING.md).',
  )
  process.exit(1)
}
