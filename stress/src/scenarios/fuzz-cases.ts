/**
 * What the differential fuzzing generates (fast-check arbitraries): documents, filters,
 * updates, projections, sorts, pipelines and options, valid and invalid alike — wrong types,
 * unknown operators, `$`-prefixed and empty field names, bad `_id`s, huge strings and values
 * nested deeper than the server allows — and the operations that use them. Each case is data;
 * `fuzz.ts` runs it on the raw driver and on a framework.
 */
import fc from 'fast-check'

const FIELDS = ['a', 'b', 'c', 'a.b', 'arr', '_id'] as const
const BAD_FIELDS = ['$bad', '', 'x.', '.y', 'a..b'] as const

/** A field name: mostly real ones, sometimes invalid. */
const field = fc.oneof({ weight: 9, arbitrary: fc.constantFrom(...FIELDS) }, { weight: 1, arbitrary: fc.constantFrom(...BAD_FIELDS) })

/** A nested value `depth` levels deep (the server refuses past 100). */
function nested(depth: number): unknown {
  let value: unknown = 1
  for (let i = 0; i < depth; i++) value = { d: value }
  return value
}

/** Scalars and small structures, with the odd huge or over-deep value. */
const scalar = fc.oneof(
  fc.integer({ min: -5, max: 5 }),
  fc.double({ noDefaultInfinity: false }),
  fc.string({ maxLength: 6 }),
  fc.boolean(),
  fc.constant(null),
  fc.date({ noInvalidDate: true }),
)
const value: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 8, arbitrary: scalar },
    { weight: 2, arbitrary: fc.array(tie('v'), { maxLength: 3 }) },
    { weight: 2, arbitrary: fc.dictionary(fc.constantFrom('a', 'b', 'c', 'x'), tie('v'), { maxKeys: 3 }) },
  ),
})).v
const extreme = fc.oneof(fc.constant('x'.repeat(1 << 20)), fc.constant(nested(120)), fc.constant(nested(90)))
const anyValue = fc.oneof({ weight: 30, arbitrary: value }, { weight: 1, arbitrary: extreme })

const document = (id: number) =>
  fc
    .record({
      _id: fc.oneof({ weight: 30, arbitrary: fc.constant<unknown>(id) }, { weight: 1, arbitrary: fc.constantFrom<unknown>([id], { $bad: id }, { a: id }) }),
      a: anyValue,
      b: value,
      arr: fc.array(value, { maxLength: 4 }),
    })
    .map((doc) => doc as Record<string, unknown>)

export const documents = fc.integer({ min: 0, max: 8 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => document(i))))

const OPERATORS = ['$eq', '$ne', '$gt', '$gte', '$lt', '$lte', '$in', '$nin', '$exists', '$type', '$size', '$regex', '$not', '$all', '$elemMatch', '$mod', '$bogus']

const condition = fc.oneof(
  { weight: 3, arbitrary: anyValue },
  {
    weight: 4,
    arbitrary: fc.tuple(fc.constantFrom(...OPERATORS), anyValue).map(([op, v]) => ({ [op]: op === '$in' || op === '$nin' || op === '$all' ? (Array.isArray(v) ? v : [v]) : v })),
  },
)

export const filter: fc.Arbitrary<unknown> = fc.letrec<{ f: unknown }>((tie) => ({
  f: fc.oneof(
    { depthSize: 'small' },
    { weight: 6, arbitrary: fc.dictionary(field, condition, { maxKeys: 2 }) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom('$and', '$or', '$nor'), fc.array(tie('f'), { maxLength: 2 })).map(([op, list]) => ({ [op]: list })) },
    { weight: 1, arbitrary: fc.constantFrom<unknown>([], 5, 'a', { $where: 'true' }, { $bogus: 1 }, { a: { $regex: '(' } }) },
  ),
})).f

const UPDATE_OPS = ['$set', '$unset', '$inc', '$mul', '$push', '$addToSet', '$pull', '$min', '$max', '$rename', '$bogus']

export const update = fc.oneof(
  { weight: 6, arbitrary: fc.dictionary(fc.constantFrom(...UPDATE_OPS), fc.dictionary(field, anyValue, { minKeys: 1, maxKeys: 2 }), { minKeys: 1, maxKeys: 2 }) },
  { weight: 1, arbitrary: fc.array(fc.record({ $set: fc.dictionary(fc.constantFrom('a', 'b'), value, { minKeys: 1, maxKeys: 1 }) }), { minLength: 1, maxLength: 2 }) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>({}, { a: 1 }, [], 'x', { $set: {} }, { $set: { _id: 99 } }, { $inc: { a: 'x' } }) },
)

export const projection = fc.oneof(
  fc.dictionary(field, fc.constantFrom<unknown>(0, 1, true, false), { maxKeys: 3 }),
  fc.dictionary(fc.constantFrom('arr', 'a'), fc.oneof(fc.record({ $slice: fc.integer({ min: -3, max: 3 }) }), fc.constantFrom<unknown>('$b', { $bogus: 1 })), { maxKeys: 1 }),
)

export const sort = fc.dictionary(field, fc.constantFrom<unknown>(1, -1, 0, 'x', 2, { $meta: 'textScore' }), { maxKeys: 2 })

const stage = fc.oneof(
  filter.map((f) => ({ $match: f })),
  projection.map((p) => ({ $project: p })),
  sort.map((s) => ({ $sort: s })),
  fc.integer({ min: -2, max: 5 }).map((n) => ({ $limit: n })),
  fc.integer({ min: -2, max: 5 }).map((n) => ({ $skip: n })),
  fc.constantFrom<unknown>(
    { $group: { _id: '$a', n: { $sum: 1 } } },
    { $group: { _id: null, total: { $sum: '$a' }, top: { $max: '$b' } } },
    { $unwind: '$arr' },
    { $unwind: 'arr' },
    { $count: 'n' },
    { $count: '' },
    { $addFields: { x: { $add: ['$a', 1] } } },
    { $bogusStage: {} },
    { $match: { $expr: { $gt: ['$a', 0] } } },
    { $sortByCount: '$b' },
    { $replaceRoot: { newRoot: '$a' } },
    'not a stage',
  ),
)

export const pipeline = fc.oneof({ weight: 9, arbitrary: fc.array(stage, { maxLength: 4 }) }, { weight: 1, arbitrary: fc.constantFrom<unknown>({ $match: {} }, 'x', null) })

/** Mostly usable find options; one case in four may carry bad ones. */
const findOptions = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record(
      {
        projection: fc.dictionary(fc.constantFrom('a', 'b', 'arr'), fc.constantFrom<unknown>(0, 1), { maxKeys: 1 }),
        sort: fc.dictionary(fc.constantFrom('a', 'b', '_id'), fc.constantFrom<unknown>(1, -1), { maxKeys: 2 }),
        limit: fc.integer({ min: 0, max: 6 }),
        skip: fc.integer({ min: 0, max: 6 }),
        batchSize: fc.integer({ min: 1, max: 4 }),
        collation: fc.constant<unknown>({ locale: 'en', strength: 2 }),
      },
      { requiredKeys: [] },
    ),
  },
  {
    weight: 1,
    arbitrary: fc.record(
      {
        projection,
        sort,
        limit: fc.integer({ min: -3, max: 6 }),
        skip: fc.integer({ min: -1, max: 6 }),
        batchSize: fc.integer({ min: 0, max: 4 }),
        hint: fc.constantFrom<unknown>({ _id: 1 }, 'nope', { zz: 1 }),
        collation: fc.constantFrom<unknown>({ locale: 'en', strength: 2 }, { locale: 'bogus' }),
      },
      { requiredKeys: [] },
    ),
  },
)

/** One operation after the documents are inserted; its outcome is compared. */
export type Op =
  | { op: 'find'; filter: unknown; options: Record<string, unknown> }
  | { op: 'aggregate'; pipeline: unknown }
  | { op: 'updateMany'; filter: unknown; update: unknown; upsert: boolean }
  | { op: 'findOneAndUpdate'; filter: unknown; update: unknown; options: Record<string, unknown> }
  | { op: 'countDocuments'; filter: unknown }
  | { op: 'distinct'; key: unknown; filter: unknown }
  | { op: 'deleteMany'; filter: unknown }
  | { op: 'insertOne'; doc: unknown }

export const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('find' as const), filter, options: findOptions }),
  fc.record({ op: fc.constant('aggregate' as const), pipeline }),
  fc.record({ op: fc.constant('updateMany' as const), filter, update, upsert: fc.boolean() }),
  fc.record({
    op: fc.constant('findOneAndUpdate' as const),
    filter,
    update,
    options: fc.record({ returnDocument: fc.constantFrom('before', 'after'), projection, sort, upsert: fc.boolean() }, { requiredKeys: [] }),
  }),
  fc.record({ op: fc.constant('countDocuments' as const), filter }),
  fc.record({ op: fc.constant('distinct' as const), key: fc.oneof(field, fc.constantFrom<unknown>(5, null)), filter }),
  fc.record({ op: fc.constant('deleteMany' as const), filter }),
  fc.record({ op: fc.constant('insertOne' as const), doc: fc.oneof(document(100), fc.constantFrom<unknown>([], 'x', 7, { $bad: 1 }, { 'a.b': 1 }, { _id: [1] })) }),
)

export const fuzzCase = fc.record({ docs: documents, op })
export type FuzzCase = typeof fuzzCase extends fc.Arbitrary<infer T> ? T : never
