// Producing one document: its model rendered in each format, checked by parsing it back and encoded
// as bytes with their ETag, with its page for people beside it; an item that makes the document fail
// is left out of it (quarantine.ts). No store, no files, no clock: it could run in a worker thread.
import type { Article } from '../articles/schema.js'
import type { FeedDefinition } from '../feeds/catalog.js'
import { feedUrlPath, viewUrlPath } from '../feeds/paths.js'
import { checkOutput, type Problem } from '../feeds/check/index.js'
import { FORMAT_NAMES, type FeedFormat } from '../feeds/formats.js'
import { type FeedModel, type ModelInput, toFeedModel } from '../feeds/model.js'
import { renderFeedPage } from '../feeds/render/feed-page.js'
import type { Renderer } from '../feeds/render/index.js'
import { strongEtag } from '../lib/hash.js'
import type { Encoded } from '../publish/encodings.js'
import {
  makeOutput,
  type OutputFields,
  outputHead,
  type RenderedOutput,
} from '../publish/outputs.js'
import type { ShelvedOutput, StagedOutput } from '../publish/shelf.js'
import type { IdScheme } from '../store/store.js'
import type { PlannedDocument } from './documents.js'
import { type Attempt, salvage } from './quarantine.js'
import { elapsed, type QuarantinedItem } from './report.js'

/** The model inputs shared by every document: site, hub, ttl (ids come with each build). */
export type ModelBase = Omit<
  ModelInput,
  'ids' | 'definition' | 'articles' | 'deletions' | 'document'
>

export type Renderers = Readonly<Record<FeedFormat, Renderer>>

export interface ProduceInput {
  modelBase: ModelBase
  ids: IdScheme
  definition: FeedDefinition
  planned: PlannedDocument
  renderers: Renderers
  /**
   * By URL path, the ETag of each format's version served now that passed its check when it was
   * published: the same bytes again skip the check (see `renderAndCheck`), and (the page for
   * people's too) are neither compressed nor produced with them, as a `ServedOutput`.
   */
  served?: Readonly<Record<string, string>>
  /**
   * By URL path, the ETag of each output's version served now that this builder did not check (an
   * earlier run's, another instance's): the same bytes again are checked, but neither compressed
   * nor produced with them, as a `ServedOutput`.
   */
  servedUnchecked?: Readonly<Record<string, string>>
  /**
   * What becomes of each output as soon as it is encoded where it is produced (a build thread: it
   * is compressed there, and a shelved document's files staged, handover.ts), so that a document's
   * outputs are not all in hand at once; absent, the publisher compresses them off the serving
   * thread instead. Outputs whose bytes are served already are not given to it: they will not be
   * published again.
   */
  finish?: (output: OutputWithBytes) => ProducedOutput
}

/** An output with its bytes, validators and, when compressed where produced, its encodings. */
export type OutputWithBytes = RenderedOutput & { encoded?: Encoded }

/** An output whose bytes are those of the version served (ProduceInput.served): not sent again. */
export type ServedOutput = ShelvedOutput & { served: true }

/**
 * An output as produced. `produceDocument` makes each with its bytes; a build thread hands the
 * serving thread some without them (handover.ts): served already, or staged on the shelf.
 */
export type ProducedOutput = OutputWithBytes | StagedOutput | ServedOutput

/** One format of a produced document: its bytes, or why it cannot be published. */
export type ProducedFormat = { output: ProducedOutput } | { urlPath: string; problems: Problem[] }

/** Time spent producing, in milliseconds (the build report adds it up). */
export interface ProduceTimings {
  renderMs: number
  checkMs: number
  /**
   * Encoding text as bytes with its ETag, and compressing them on a build thread: the report
   * counts it as publishing, as it always did.
   */
  encodeMs: number
}

export interface ProducedDocument {
  /** The document's path under /feeds/: what its quarantined items are kept under. */
  path: string
  /** An archive document: published to the shelf, not to memory. */
  archive: boolean
  /** Every format, in FORMAT_NAMES order. */
  formats: ProducedFormat[]
  /** The page for people, made only when every format passed. */
  page?: ProducedOutput
  /**
   * Items left out of the document (none when it passed whole); undefined when it failed with no
   * item to blame, which leaves what was quarantined before as it was.
   */
  quarantined?: QuarantinedItem[]
  timings: ProduceTimings
}

type Texts = Record<FeedFormat, string>

const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : String(error)

/** Whether `text` is, byte for byte, the version served (the ETag is a hash of the bytes). */
const isServed = (text: string, etag: string | undefined, timings: ProduceTimings): boolean => {
  if (etag === undefined) return false
  const started = process.hrtime.bigint()
  const same = strongEtag(text) === etag
  timings.encodeMs += elapsed(started)
  return same
}

/**
 * Renders and checks one format: its text, or why it cannot be published. Bytes identical to the
 * version served, which passed its check when published, are not checked again: the rules read
 * only the bytes and the model, and the renderers write every part of the model the rules read, so
 * the same bytes mean the same outcome; and whatever the outcome, the bytes served would stay these.
 */
const renderAndCheck = (
  render: Renderer,
  format: FeedFormat,
  model: FeedModel,
  timings: ProduceTimings,
  served?: string,
): Attempt<string> => {
  let started = process.hrtime.bigint()
  let text: string
  try {
    text = render(model)
  } catch (error) {
    return { problems: [{ rule: 'render', message: messageOf(error) }] }
  } finally {
    timings.renderMs += elapsed(started)
  }
  if (isServed(text, served, timings)) return { texts: text }
  started = process.hrtime.bigint()
  const problems = checkOutput(format, text, model)
  timings.checkMs += elapsed(started)
  return problems.length > 0 ? { problems } : { texts: text }
}

/** Every format's attempt as one: all texts if every format passed, else all the problems. */
const combine = (each: readonly Attempt<string>[]): Attempt<Texts> => {
  const problems = each.flatMap((a) => ('problems' in a ? a.problems : []))
  if (problems.length > 0) return { problems }
  const texts = each.map((a) => ('texts' in a ? a.texts : ''))
  return { texts: Object.fromEntries(FORMAT_NAMES.map((f, i) => [f, texts[i]])) as Texts }
}

/** Encodes one output's text as bytes with its validators. */
export const encode = (
  fields: OutputFields,
  timings: Pick<ProduceTimings, 'encodeMs'>,
): RenderedOutput => {
  const started = process.hrtime.bigint()
  const output = makeOutput(fields)
  timings.encodeMs += elapsed(started)
  return output
}

/**
 * Makes a document's outputs: encoded, and finished (ProduceInput.finish) when it says how; an
 * output whose bytes are those served goes without them (the publisher keeps what it serves), and
 * they are never made: a rebuild of documents that did not change allocates none of their bytes.
 */
type Encoder = (fields: OutputFields) => ProducedOutput

const encoderOf = (
  { finish, served = {}, servedUnchecked = {} }: ProduceInput,
  timings: ProduceTimings,
): Encoder => {
  return (fields) => {
    const etag = served[fields.urlPath] ?? servedUnchecked[fields.urlPath]
    if (etag !== undefined) {
      const started = process.hrtime.bigint()
      const head = outputHead(fields)
      timings.encodeMs += elapsed(started)
      if (head.etag === etag) return { ...head, served: true }
    }
    const output = encode(fields, timings)
    if (!finish) return output
    const started = process.hrtime.bigint()
    const finished = finish(output)
    timings.encodeMs += elapsed(started)
    return finished
  }
}

/** The model of the document with some of its articles. */
const modelMaker = ({ modelBase, ids, definition, planned }: ProduceInput) => {
  // Archives do not change with new articles: nothing to subscribe to, so no hub to advertise.
  const { hub, ...base } = modelBase
  const { key, document, deletions } = planned
  return (some: readonly Article[]): FeedModel =>
    toFeedModel({
      ...base,
      ids,
      ...(hub && !document.archive && { hub }),
      definition: { ...definition, key },
      articles: some,
      deletions,
      document,
    })
}

/** Every format of a document that passed, and its page for people. */
const passed = (
  model: FeedModel,
  texts: Texts,
  quarantined: QuarantinedItem[],
  encoder: Encoder,
  timings: ProduceTimings,
): ProducedDocument => {
  const fields = { feedKey: model.key, updated: model.updated }
  const formats = FORMAT_NAMES.map((format) => ({
    output: encoder({
      ...fields,
      urlPath: feedUrlPath(model.path, format),
      format,
      text: texts[format],
    }),
  }))
  const text = renderFeedPage(model)
  const page = encoder({ ...fields, urlPath: viewUrlPath(model.path), format: 'html', text })
  return { path: model.path, archive: model.archive, formats, page, quarantined, timings }
}

/** A document that failed with no item to blame: what passed moves on, the rest keeps its last. */
const failed = (
  model: FeedModel,
  each: readonly Attempt<string>[],
  encoder: Encoder,
  timings: ProduceTimings,
): ProducedDocument => {
  const formats = FORMAT_NAMES.map((format, i): ProducedFormat => {
    const attempt = each[i]!
    const urlPath = feedUrlPath(model.path, format)
    if ('problems' in attempt) return { urlPath, problems: attempt.problems }
    const fields = { urlPath, feedKey: model.key, format, text: attempt.texts }
    return { output: encoder({ ...fields, updated: model.updated }) }
  })
  return { path: model.path, archive: model.archive, formats, timings }
}

/** The items salvage left out, as the report names them. */
const leftOut = (
  model: FeedModel,
  left: ReadonlyArray<{ item: Article; problems: Problem[] }>,
): QuarantinedItem[] => {
  const feed = feedUrlPath(model.path, 'rss')
  return left.map(({ item, problems }) => ({
    feed,
    article: item.id,
    rule: [...new Set(problems.map((p) => p.rule))].join(', '),
    message: problems.map((p) => p.message).join('; '),
  }))
}

/**
 * Renders, checks and encodes every format of one document. When it fails, the items that make it
 * fail on their own are left out and the rest passes (quarantine.ts); otherwise each format that
 * passed is produced and the others carry their problems.
 */
export const produceDocument = async (input: ProduceInput): Promise<ProducedDocument> => {
  const timings: ProduceTimings = { renderMs: 0, checkMs: 0, encodeMs: 0 }
  const modelOf = modelMaker(input)
  const encoder = encoderOf(input, timings)
  const attempt = (model: FeedModel, served: Readonly<Record<string, string>> = {}) =>
    FORMAT_NAMES.map((format) => {
      const etag = served[feedUrlPath(model.path, format)]
      return renderAndCheck(input.renderers[format], format, model, timings, etag)
    })
  const { articles } = input.planned
  const model = modelOf(articles)
  const each = attempt(model, input.served)
  const first = combine(each)
  if ('texts' in first) return passed(model, first.texts, [], encoder, timings)
  // A document with items left out is checked whole, as its every attempt is.
  const saved = await salvage(articles, (some) => combine(attempt(modelOf(some))))
  if (!saved) return failed(model, each, encoder, timings)
  const kept = modelOf(saved.kept)
  return passed(kept, saved.attempt.texts, leftOut(kept, saved.left), encoder, timings)
}
