// Publishing one build's documents: render each format, check it by parsing it back, and publish
// what passed (bytes, compressed forms, file) with the page for people beside it; an item that
// makes a document fail is left out of it (quarantine.ts).
import type { Article } from '../articles/schema.js'
import { feedUrlPath, type FeedDefinition, viewUrlPath } from '../feeds/catalog.js'
import { checkOutput } from '../feeds/check/index.js'
import { FORMAT_NAMES, type FeedFormat } from '../feeds/formats.js'
import { type FeedModel, type ModelInput, toFeedModel } from '../feeds/model.js'
import { renderFeedPage } from '../feeds/render/feed-page.js'
import type { Renderer } from '../feeds/render/index.js'
import { writeOutputFiles } from '../publish/files.js'
import {
  makeOutput,
  nextLastModified,
  type OutputFormat,
  type PublishedOutput,
  type PublishedOutputs,
  type RenderedOutput,
  withEncodings,
} from '../publish/outputs.js'
import type { Shelf, ShelvedOutput } from '../publish/shelf.js'
import type { IdScheme } from '../store/store.js'
import type { PlannedDocument } from './documents.js'
import { type Attempt, salvage } from './quarantine.js'
import type { BuildFailure, BuildTimings, QuarantinedItem } from './report.js'

type Texts = Record<FeedFormat, string>

/** What one build has done so far; the builder turns it into the report. */
export interface Tally {
  timings: BuildTimings
  failures: BuildFailure[]
  /** Items left out of the documents this build published (quarantine.ts). */
  quarantined: QuarantinedItem[]
  published: PublishedOutput[]
  /** Outputs written to the shelf (archives): on disk, not in memory. */
  shelved: ShelvedOutput[]
  unchanged: number
}

export interface PublisherOptions {
  outputs: PublishedOutputs
  /** Where archive documents go; required when the build makes archives. */
  shelf?: Shelf
  feedsDir: string
  clock: () => Date
  renderers: Readonly<Record<FeedFormat, Renderer>>
  /** The model inputs shared by every document: site, hub, ttl (ids come with each build). */
  modelBase: Omit<ModelInput, 'ids' | 'definition' | 'articles' | 'deletions' | 'document'>
}

export const elapsed = (since: bigint): number => Number(process.hrtime.bigint() - since) / 1e6

export const createPublisher = ({
  outputs,
  shelf,
  feedsDir,
  clock,
  renderers,
  modelBase,
}: PublisherOptions) => {
  /** Puts a new version where it belongs: archives on the shelf, the rest in memory and feeds/. */
  const put = async (output: RenderedOutput, shelved: boolean, report: Tally) => {
    if (shelved) {
      if (!shelf) throw new Error('archive documents need a shelf (publish/shelf.ts)')
      report.shelved.push(await shelf.put(output))
      return
    }
    const published = await withEncodings(output)
    await writeOutputFiles(feedsDir, output.urlPath, output.body, published.encoded)
    outputs.put(published)
    report.published.push(published)
  }

  /** Publishes checked text unless its bytes are already served; false (and a failure) on error. */
  const publishText = async (
    fields: { urlPath: string; feedKey: string; format: OutputFormat; text: string; updated: Date },
    report: Tally,
    shelved = false,
  ): Promise<boolean> => {
    const started = process.hrtime.bigint()
    try {
      const output = makeOutput(fields)
      const previous = shelved ? shelf?.get(fields.urlPath) : outputs.get(fields.urlPath)
      // Same bytes under another key (restored from disk at start-up) are taken over all the same.
      if (previous?.etag === output.etag && previous.feedKey === output.feedKey) {
        report.unchanged += 1
        return true
      }
      const lastModified = nextLastModified(fields.updated, previous?.lastModified, clock())
      await put({ ...output, lastModified }, shelved, report)
      return true
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error)
      report.failures.push({ feed: fields.urlPath, rule: 'publish', message })
      return false
    } finally {
      report.timings.publishMs += elapsed(started)
    }
  }

  /** Renders and checks one format: its text, or why it cannot be published. */
  const produce = (model: FeedModel, format: FeedFormat, report: Tally): Attempt<string> => {
    let started = process.hrtime.bigint()
    let text: string
    try {
      text = renderers[format](model)
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error)
      return { problems: [{ rule: 'render', message }] }
    } finally {
      report.timings.renderMs += elapsed(started)
    }
    started = process.hrtime.bigint()
    const problems = checkOutput(format, text, model)
    report.timings.checkMs += elapsed(started)
    return problems.length > 0 ? { problems } : { texts: text }
  }

  /** Every format's attempt as one: all texts if every format passed, else all the problems. */
  const combine = (each: readonly Attempt<string>[]): Attempt<Texts> => {
    const problems = each.flatMap((a) => ('problems' in a ? a.problems : []))
    if (problems.length > 0) return { problems }
    const texts = each.map((a) => ('texts' in a ? a.texts : ''))
    return { texts: Object.fromEntries(FORMAT_NAMES.map((f, i) => [f, texts[i]])) as Texts }
  }

  const produceAll = (model: FeedModel, report: Tally): Attempt<Texts> =>
    combine(FORMAT_NAMES.map((format) => produce(model, format, report)))

  const publishFormat = (model: FeedModel, format: FeedFormat, text: string, report: Tally) => {
    const fields = {
      urlPath: feedUrlPath(model.path, format),
      feedKey: model.key,
      format,
      text,
      updated: model.updated,
    }
    return publishText(fields, report, model.archive)
  }

  /** Items left out of the documents served now, by document path. */
  const quarantine = new Map<string, QuarantinedItem[]>()

  /**
   * Renders, checks and publishes every format of one document. When it fails, the items that
   * make it fail on their own are left out and the rest is published (quarantine.ts); otherwise
   * each format that passed is published and the others keep their last good version.
   */
  const publishDocument = async (
    modelOf: (articles: readonly Article[]) => FeedModel,
    articles: readonly Article[],
    report: Tally,
  ): Promise<boolean> => {
    let model = modelOf(articles)
    const each = FORMAT_NAMES.map((format) => produce(model, format, report))
    const first = combine(each)
    let texts = 'texts' in first ? first.texts : undefined
    if (!texts) {
      const saved = await salvage(articles, (some) => produceAll(modelOf(some), report))
      if (saved) {
        model = modelOf(saved.kept)
        texts = saved.attempt.texts
        const feed = feedUrlPath(model.path, 'rss')
        const left = saved.left.map(({ item, problems }) => ({
          feed,
          article: item.id,
          rule: [...new Set(problems.map((p) => p.rule))].join(', '),
          message: problems.map((p) => p.message).join('; '),
        }))
        quarantine.set(model.path, left)
        report.quarantined.push(...left)
      }
    } else {
      quarantine.delete(model.path)
    }
    if (!texts) {
      // No item to blame: what passed moves on, the rest keeps serving its last good version.
      let passed = true
      for (const [i, format] of FORMAT_NAMES.entries()) {
        const attempt = each[i]!
        const urlPath = feedUrlPath(model.path, format)
        if ('problems' in attempt) {
          attempt.problems.forEach((p) => report.failures.push({ feed: urlPath, ...p }))
          passed = false
        } else {
          passed = (await publishFormat(model, format, attempt.texts, report)) && passed
        }
      }
      return passed
    }
    let passed = true
    for (const format of FORMAT_NAMES) {
      passed = (await publishFormat(model, format, texts[format], report)) && passed
    }
    // The page for people shows what the feed holds, so it follows only a feed that passed.
    if (passed) {
      const view = { urlPath: viewUrlPath(model.path), feedKey: model.key, format: 'html' as const }
      const text = renderFeedPage(model)
      await publishText({ ...view, text, updated: model.updated }, report, model.archive)
    }
    return passed
  }

  /** Renders, checks and publishes every format of each planned document; false if any failed. */
  const publishDocuments = async (
    definition: FeedDefinition,
    planned: readonly PlannedDocument[],
    report: Tally,
    ids: IdScheme,
  ): Promise<boolean> => {
    let passed = true
    for (const { key, document, articles, deletions } of planned) {
      // Archives do not change with new articles: nothing to subscribe to, so no hub to advertise.
      const { hub, ...base } = modelBase
      const modelOf = (some: readonly Article[]) =>
        toFeedModel({
          ...base,
          ids,
          ...(hub && !document.archive && { hub }),
          definition: { ...definition, key },
          articles: some,
          deletions,
          document,
        })
      passed = (await publishDocument(modelOf, articles, report)) && passed
    }
    return passed
  }

  /** Items left out of documents still served (a document taken down takes its list with it). */
  const quarantined = (): QuarantinedItem[] =>
    [...quarantine.values()]
      .flat()
      .filter((q) => outputs.get(q.feed) !== undefined || shelf?.get(q.feed) !== undefined)

  return { publishText, publishDocuments, quarantined }
}
