/** The Node resolution hook behind `@motor-ts/synchro/register` (see there). */
const INTERNAL = /[\\/]node_modules[\\/]|[\\/]packages[\\/](core|synchro|framework-[\w-]+)[\\/](src|dist)[\\/]/

type Next = (specifier: string, context: { parentURL?: string }) => Promise<{ url: string }>

export async function resolve(specifier: string, context: { parentURL?: string }, next: Next) {
  if (specifier === 'mongodb' && process.env.MOTOR_FRAMEWORK && context.parentURL && !INTERNAL.test(context.parentURL))
    return next('@motor-ts/synchro/masquerade', context)
  return next(specifier, context)
}
