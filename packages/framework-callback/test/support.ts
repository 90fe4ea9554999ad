/**
 * Test plumbing for @motor-ts/callback: `callBack` runs a call given a callback and reports
 * how it was called back — once, on a later tick, with nothing returned — so each test names
 * only the outcome it expects.
 */
import { expect } from 'vitest'

export interface CalledBack<T> {
  error: unknown
  result: T | undefined
  /** How many arguments the callback got (1 on failure, 2 on success). */
  arity: number
}

/**
 * Run `start` with a callback and wait for it. Fails unless `start` returned undefined and
 * did not throw, the callback ran after `start` returned, and exactly once (a second call
 * within `graceMs` fails the test).
 */
export function callBack<T>(start: (callback: (error: unknown, result: T) => void) => unknown, graceMs = 20): Promise<CalledBack<T>> {
  return new Promise((resolve, reject) => {
    let calls = 0
    let returned = false
    let outcome: CalledBack<T> | undefined
    const value = start((...args: unknown[]) => {
      calls++
      if (!returned) reject(new Error('the callback ran before the call returned'))
      if (calls > 1) reject(new Error(`called back ${calls} times`))
      outcome = { error: args[0], result: args[1] as T | undefined, arity: args.length }
      setTimeout(() => (calls === 1 ? resolve(outcome!) : undefined), graceMs)
    })
    returned = true
    if (value !== undefined) reject(new Error(`a call given a callback returned ${String(value)}`))
  })
}

/** `callBack`, expecting success: returns the result. */
export async function succeeds<T>(start: (callback: (error: unknown, result: T) => void) => unknown): Promise<T> {
  const { error, result, arity } = await callBack(start)
  expect(error).toBeUndefined()
  expect(arity).toBe(2)
  return result as T
}

/** `callBack`, expecting failure: returns the error. */
export async function fails(start: (callback: (error: unknown, result: unknown) => void) => unknown): Promise<unknown> {
  const { error, result } = await callBack(start)
  expect(error).toBeInstanceOf(Error)
  expect(result).toBeUndefined()
  return error
}
