/**
 * Members the table names but the installed `mongodb` lacks: core's table follows the newest
 * driver, while users may install any driver in the peer range (down to its floor). Such a
 * member is found once, when the wrapper classes are built (so present members cost nothing),
 * and calling it fails with a `MongoAPIError` naming the member and the installed driver
 * version, in the framework's channel: a failed future for an async operation, a throw for a
 * synchronous member. Properties are not checked (the driver sets many on the instance).
 */
import { createRequire } from 'node:module'
import { MongoAPIError } from 'mongodb'
import { driverVersion } from './generated/driver-api.generated.js'
import { driverTable } from './table.js'

/** The version of the `mongodb` package this module loads, or `unknown` (bundled, say). */
export function installedDriverVersion(): string {
  try {
    return (createRequire(import.meta.url)('mongodb/package.json') as { version: string }).version
  } catch {
    return 'unknown'
  }
}

/** The class and every wrapped class below it (an abstract member is implemented in subclasses). */
function withDescendants(name: string): string[] {
  const below = Object.entries(driverTable)
    .filter(([, entry]) => (entry as { extends?: string }).extends === name)
    .flatMap(([child]) => withDescendants(child))
  return [name, ...below]
}

/** Whether the installed driver lacks `key` on class `name` (false when the driver does not export the class). */
export function driverLacks(exports: Readonly<Record<string, Function | undefined>>, name: string, key: string | symbol): boolean {
  const prototypes = withDescendants(name)
    .map((cls) => exports[cls]?.prototype as object | undefined)
    .filter((p): p is object => p !== undefined)
  return prototypes.length > 0 && !prototypes.some((p) => key in p)
}

/** The error a call of a member the installed driver lacks fails with. */
export function driverLacksError(member: string): MongoAPIError {
  return new MongoAPIError(
    `motor-ts: ${member} is not available with the installed mongodb ${installedDriverVersion()}; ` +
      `it needs a newer driver (motor-ts's table follows mongodb ${driverVersion})`,
  )
}
