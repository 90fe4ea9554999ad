/**
 * Types for every driver in the peer range: the generator declares locally what the floor
 * driver does not export, types a member the floor lacks as `DriverLacks` where the installed
 * driver lacks it, and notes overloads the floor does not declare; at run time a member the
 * installed driver lacks is found from its prototypes. (`pnpm test:compat` compiles and runs all
 * of this on the floor driver itself.)
 */
import * as mongodb from 'mongodb'
import { describe, expect, it } from 'vitest'
import { covers, type DriverFloor, floorVersion, readFloor } from '../scripts/driver-floor.js'
import { generate } from '../scripts/generate-api.js'
import { driverLacks, driverLacksError, installedDriverVersion } from '../src/driver-lacks.js'

const floor = readFloor()
const without = (edit: (f: DriverFloor) => void): DriverFloor => {
  const copy = structuredClone(floor)
  edit(copy)
  return copy
}

describe('driver floor', () => {
  it('is the snapshot of the floor of the mongodb peer range', () => {
    expect(floor.version).toBe(floorVersion())
  })

  it('compares overloads by parameter types, a parameter only one side has being optional', () => {
    const a = { type: 'A', optional: false }
    const b = { type: 'B', optional: true }
    expect(covers([a, b], [a])).toBe(true)
    expect(covers([a, b], [a, { type: 'B', optional: false }])).toBe(true)
    expect(covers([a], [a, b])).toBe(true)
    expect(covers([a, b], [a, { type: 'C', optional: true }])).toBe(false)
    expect(covers([a], [a, { type: 'C', optional: false }])).toBe(false)
  })

  it('declares locally a driver type the floor does not export instead of importing it', () => {
    const out = generate(undefined, undefined, without((f) => (f.exports = f.exports.filter((n) => n !== 'DeleteResult'))))
    expect(out).toMatch(/\ninterface DeleteResult \{/)
    expect(out).not.toMatch(/import type \{[^}]*\bDeleteResult\b[^}]*\} from 'mongodb'/)
  })

  it('types a member the floor lacks by whether the installed driver has it', () => {
    const out = generate(undefined, undefined, without((f) => delete f.members.Collection!.estimatedDocumentCount))
    expect(out).toContain(
      `readonly estimatedDocumentCount: "estimatedDocumentCount" extends keyof Collection<any> ? ((options?: MotorOptions<EstimatedDocumentCountOptions>) => Future<F, number>) : DriverLacks<'Collection.estimatedDocumentCount'>`,
    )
  })

  it('notes an overload the floor does not declare', () => {
    const out = generate(undefined, undefined, without((f) => (f.members.Collection!.drop = [])))
    expect(out).toMatch(/does not declare this signature\.\n {3}\*\/\n {2}drop\(/)
  })
})

describe('members the installed driver lacks', () => {
  const exports = mongodb as unknown as Record<string, Function | undefined>

  it('finds none among members the driver has, abstract ones implemented by subclasses included', () => {
    expect(driverLacks(exports, 'ChangeStream', 'bufferedCount')).toBe(false)
    expect(driverLacks(exports, 'AbstractCursor', 'clone')).toBe(false)
    expect(driverLacks(exports, 'ExplainableCursor', 'explain')).toBe(false)
  })

  it('finds a member no class of the hierarchy has', () => {
    expect(driverLacks(exports, 'Collection', 'findRandom')).toBe(true)
    expect(driverLacks(exports, 'AbstractCursor', 'findRandom')).toBe(true)
  })

  it('cannot judge a class the driver does not export at run time', () => {
    expect(driverLacks(exports, 'FindOperators', 'findRandom')).toBe(false)
  })

  it('names the member and the installed driver version in a MongoAPIError', () => {
    const error = driverLacksError('Collection.findRandom')
    expect(error).toBeInstanceOf(mongodb.MongoAPIError)
    expect(installedDriverVersion()).toMatch(/^7\.\d+\.\d+/)
    expect(error.message).toContain(`Collection.findRandom is not available with the installed mongodb ${installedDriverVersion()}`)
  })
})
