/**
 * Static checks of a test file, made before runOnRequirements are looked at: the file's
 * required fields, the file-level createEntities list (exactly one entity type per entry,
 * unique ids, every referenced client/database defined earlier in the list) and the KMS
 * provider documents of clientEncryption entities (a provider given with some credentials
 * must be given all of them). A malformed file is reported as failing even on a server where
 * its requirements would make it skip, which is what lets a runner without libmongocrypt still
 * reject the malformed kmsProviders files.
 */
import { isDocument } from './bson-utils.js'

const ENTITY_TYPES = new Set(['client', 'database', 'collection', 'session', 'bucket', 'thread', 'clientEncryption'])

/** Credential field sets; a non-empty provider document must contain one complete set. */
const KMS_CREDENTIALS: Record<string, string[][]> = {
  aws: [['accessKeyId', 'secretAccessKey']],
  azure: [['tenantId', 'clientId', 'clientSecret'], ['accessToken']],
  gcp: [['email', 'privateKey'], ['accessToken']],
  kmip: [['endpoint']],
  local: [['key']],
}

export function validateTestFile(file: any): string[] {
  const problems: string[] = []
  if (!isDocument(file)) return ['test file is not a document']
  if (typeof file.description !== 'string') problems.push('missing "description"')
  if (typeof file.schemaVersion !== 'string') problems.push('missing "schemaVersion"')
  if (!Array.isArray(file.tests)) problems.push('missing "tests" array')
  if (file.createEntities !== undefined) problems.push(...validateEntities(file.createEntities))
  return problems
}

function validateEntities(list: unknown): string[] {
  if (!Array.isArray(list)) return ['createEntities must be an array']
  const problems: string[] = []
  const defined = new Map<string, string>()
  const need = (what: string, ref: unknown, kind: string, owner: string) => {
    if (typeof ref !== 'string') problems.push(`${owner}: "${what}" must name a ${kind} entity`)
    else if (defined.get(ref) !== kind) {
      problems.push(`${owner}: ${what} "${ref}" is not a ${kind} entity defined before it`)
    }
  }
  for (const [i, entry] of list.entries()) {
    if (!isDocument(entry) || Object.keys(entry).length !== 1) {
      problems.push(`createEntities[${i}] must have exactly one entity type key`)
      continue
    }
    const type = Object.keys(entry)[0]!
    const spec = entry[type] as any
    if (!ENTITY_TYPES.has(type)) {
      problems.push(`createEntities[${i}]: unknown entity type ${type}`)
      continue
    }
    if (!isDocument(spec) || typeof spec.id !== 'string') {
      problems.push(`createEntities[${i}] (${type}) needs a string id`)
      continue
    }
    const owner = `${type} "${spec.id}"`
    switch (type) {
      case 'database':
        need('client', spec.client, 'client', owner)
        break
      case 'collection':
      case 'bucket':
        need('database', spec.database, 'database', owner)
        break
      case 'session':
        need('client', spec.client, 'client', owner)
        break
      case 'clientEncryption': {
        const opts = spec.clientEncryptionOpts
        if (!isDocument(opts)) {
          problems.push(`${owner}: clientEncryptionOpts is required`)
          break
        }
        need('keyVaultClient', opts.keyVaultClient, 'client', owner)
        problems.push(...validateKmsProviders(opts.kmsProviders, owner))
        break
      }
      case 'client':
        if (isDocument(spec.autoEncryptOpts)) problems.push(...validateKmsProviders(spec.autoEncryptOpts.kmsProviders, owner))
        for (const s of Array.isArray(spec.storeEventsAsEntities) ? spec.storeEventsAsEntities : []) {
          if (isDocument(s) && typeof s.id === 'string') {
            if (defined.has(s.id)) problems.push(`${owner}: duplicate entity id "${s.id}"`)
            defined.set(s.id, 'eventList')
          }
        }
        break
    }
    if (defined.has(spec.id)) problems.push(`duplicate entity id "${spec.id}"`)
    defined.set(spec.id, type)
  }
  return problems
}

function validateKmsProviders(providers: unknown, owner: string): string[] {
  if (!isDocument(providers)) return [`${owner}: kmsProviders must be a document`]
  const names = Object.keys(providers)
  if (names.length === 0) return [`${owner}: kmsProviders configures no KMS provider`]
  const problems: string[] = []
  for (const name of names) {
    const base = name.split(':')[0]!
    const sets = KMS_CREDENTIALS[base]
    if (!sets) {
      problems.push(`${owner}: unknown KMS provider ${name}`)
      continue
    }
    const creds = providers[name]
    if (!isDocument(creds)) {
      problems.push(`${owner}: KMS provider ${name} must be a document`)
      continue
    }
    const given = Object.keys(creds).filter((k) => k !== 'endpoint' && k !== 'identityPlatformEndpoint' && k !== 'sessionToken')
    // An empty document asks for on-demand credentials; otherwise one full credential set is needed.
    if (given.length === 0) continue
    if (!sets.some((set) => set.every((f) => f in creds))) {
      problems.push(`${owner}: KMS provider ${name} is missing credentials (needs ${sets.map((s) => s.join(' + ')).join(' or ')})`)
    }
  }
  return problems
}
