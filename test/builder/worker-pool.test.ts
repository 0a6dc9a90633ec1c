// The build threads' pool: documents compressed on a thread give the bytes and ETags of the serving
// thread's compression, bytes the serving thread would drop or shelve stay on the thread (served,
// or staged on the shelf), and a thread that fails (killed, or at its memory limit) costs no
// document.
import { existsSync, readdirSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import {
  type OutputWithBytes,
  produceDocument,
  type ProducedDocument,
  type ProducedOutput,
} from '../../src/builder/produce.js'
import {
  createWorkerPool,
  LARGE_DOCUMENT_BYTES,
  nextIndex,
  type ProduceRequest,
  type Producer,
  REPLACEMENTS,
  transferables,
} from '../../src/builder/workers.js'
import { buildCatalog } from '../../src/feeds/catalog.js'
import { RENDERERS } from '../../src/feeds/render/index.js'
import { compress, compressSync } from '../../src/publish/encodings.js'
import { fileFor } from '../../src/publish/files.js'
import { IDS, makeArticle, SITE } from '../helpers/fixtures.js'
import { until } from '../helpers/service.js'

const [siteFeed] = buildCatalog(SITE, [])

/** The site feed's first page with `count` articles of some length. */
const request = (count: number, served?: Record<string, string>): ProduceRequest => ({
  modelBase: { site: SITE },
  ids: IDS,
  definition: siteFeed!,
  planned: {
    key: 'site',
    document: { path: '', links: [], archive: false },
    articles: Array.from({ length: count }, (_, i) =>
      makeArticle({
        id: `a-${i}`,
        publishedAt: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(),
        contentHtml: `<p>${'Words of a long article. '.repeat(200)}</p>`,
      }),
    ),
    deletions: [],
    bytes: 0,
  },
  ...(served && { served }),
})

const hex = (bytes: Uint8Array | undefined) => (bytes ? Buffer.from(bytes).toString('hex') : '')

/** Every output's path, ETag and bytes, identity and compressed. */
const bytesOf = (produced: ProducedDocument) =>
  [...produced.formats, ...(produced.page ? [{ output: produced.page }] : [])].map((f) => {
    if (!('output' in f)) return { urlPath: f.urlPath, problems: f.problems }
    const { urlPath, etag } = f.output
    if (!('body' in f.output)) return { urlPath, etag, handedOver: Object.keys(f.output).at(-1) }
    const { body, encoded } = f.output
    return { urlPath, etag, body: hex(body), br: hex(encoded?.br), gzip: hex(encoded?.gzip) }
  })

/** An output produced in-process (with its bytes), with its compressed forms. */
const compressed = async (output: ProducedOutput): Promise<OutputWithBytes> => {
  if (!('body' in output)) throw new Error(`${output.urlPath}: produced without its bytes`)
  return { ...output, encoded: await compress(output.body) }
}

/** Whether an output came with its bytes compressed. */
const isCompressed = (output: ProducedOutput): boolean =>
  'encoded' in output && output.encoded !== undefined

/** What the serving thread would make of the same document: produced, then compressed on libuv. */
const inProcess = async (input: ProduceRequest) => {
  const produced = await produceDocument({ ...input, renderers: RENDERERS })
  const formats: ProducedDocument['formats'] = []
  for (const f of produced.formats)
    formats.push('output' in f ? { output: await compressed(f.output) } : f)
  const page = produced.page && (await compressed(produced.page))
  return { ...produced, formats, ...(page && { page }) }
}

/**
 * Runs `body`, ending the first worker that is handed a document instead of handing it over. The
 * thread is known only to the pool: every worker this process starts is watched, the test
 * runner's own included, which is handed nothing meanwhile.
 */
const killingTheFirstTaken = async <T>(
  body: () => Promise<T>,
): Promise<{ result: T; killed: boolean }> => {
  const { Worker } = await import('node:worker_threads')
  const post = Worker.prototype.postMessage
  let killed = false
  Worker.prototype.postMessage = function (this: InstanceType<typeof Worker>, ...args) {
    if (killed) return post.apply(this, args as Parameters<typeof post>)
    killed = true
    void this.terminate()
  }
  try {
    return { result: await body(), killed }
  } finally {
    Worker.prototype.postMessage = post
  }
}

let pool: Producer | undefined
afterEach(async () => {
  await pool?.close()
  pool = undefined
})

describe('the build threads pool', () => {
  it('compresses on the thread to the bytes libuv would make, and transfers them', async () => {
    const errors: unknown[] = []
    pool = createWorkerPool(1, { log: { error: (m, e) => errors.push(m, e) } })
    const threaded = await pool.produce(request(20))
    expect(errors).toEqual([])
    expect(threaded.formats.every((f) => 'output' in f && isCompressed(f.output))).toBe(true)
    expect(bytesOf(threaded)).toEqual(bytesOf(await inProcess(request(20))))
  })

  it('neither compresses outputs whose bytes are served already nor hands their bytes back', async () => {
    pool = createWorkerPool(1)
    const first = await pool.produce(request(3))
    const served = Object.fromEntries(
      first.formats.flatMap((f) => ('output' in f ? [[f.output.urlPath, f.output.etag]] : [])),
    )
    const again = await pool.produce(request(3, served))
    expect(again.formats.map((f) => 'output' in f && f.output)).toEqual(
      first.formats.map((f) => {
        if (!('output' in f && 'body' in f.output)) throw new Error('produced without bytes')
        const { body: _body, encoded: _encoded, ...head } = f.output
        return { ...head, served: true }
      }),
    )
    // The page for people is not among those served: compressed and handed back as before.
    expect(again.page && isCompressed(again.page)).toBe(true)
  })

  it('stages a shelved document’s files beside their places on the thread, its bytes not handed back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'feedwright-staged-'))
    try {
      pool = createWorkerPool(1)
      const threaded = await pool.produce({ ...request(6), stageIn: dir })
      const expected = await inProcess(request(6))
      const outputs = [...threaded.formats, { output: threaded.page! }]
      expect(outputs).toHaveLength(4)
      expect(transferables(threaded)).toEqual([])
      for (const [i, f] of outputs.entries()) {
        if (!('output' in f && 'staged' in f.output)) throw new Error('an output was not staged')
        const want = expected.formats[i] ?? { output: expected.page! }
        if (!('output' in want && 'body' in want.output)) throw new Error('no bytes in-process')
        const { urlPath, etag, body, encoded } = want.output
        expect({ urlPath, etag }).toEqual({ urlPath: f.output.urlPath, etag: f.output.etag })
        // The places the shelf renames them to: .gz, .br, then the identity file.
        const file = fileFor(dir, urlPath)
        expect(f.output.staged.map((s) => s.path)).toEqual([`${file}.gz`, `${file}.br`, file])
        const staged = await Promise.all(f.output.staged.map((s) => readFile(s.temporary)))
        expect(staged.map(hex)).toEqual([encoded!.gzip, encoded!.br, body].map(hex))
        // Nothing is in place until the publisher commits them.
        expect(existsSync(file)).toBe(false)
      }
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('stages nothing for a shelved document whose bytes an earlier run served, but checks them', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'feedwright-staged-'))
    try {
      pool = createWorkerPool(1)
      const first = await inProcess(request(6))
      const all = [...first.formats, { output: first.page! }]
      const servedUnchecked = Object.fromEntries(
        all.flatMap((f) => ('output' in f ? [[f.output.urlPath, f.output.etag]] : [])),
      )
      const again = await pool.produce({ ...request(6), servedUnchecked, stageIn: dir })
      for (const f of [...again.formats, { output: again.page! }])
        expect(f).toMatchObject({ output: { served: true } })
      expect(readdirSync(dir, { recursive: true })).toEqual([])
      // Not the check's to skip: only this builder's own checked versions skip it.
      expect(again.timings.checkMs).toBeGreaterThan(0)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('reads a document’s rows as a thread takes it, again if the thread dies, and passes a read’s failure on', async () => {
    const errors: string[] = []
    pool = createWorkerPool(1, { log: { error: (m) => errors.push(m) } })
    const full = request(5)
    const lazy = { ...full, planned: { ...full.planned, articles: [] } }
    let reads = 0
    const rows = async () => {
      reads += 1
      return full.planned.articles
    }
    const produced = await pool.produce(lazy, rows)
    expect(reads).toBe(1)
    expect(bytesOf(produced)).toEqual(bytesOf(await pool.produce(full)))
    // The thread holding it dies: the next one reads the rows again.
    const { result, killed } = await killingTheFirstTaken(() => pool!.produce(lazy, rows))
    expect(killed).toBe(true)
    expect(bytesOf(result)).toEqual(bytesOf(produced))
    expect(reads).toBe(3)
    expect(errors).toEqual(['build threads: a worker failed; starting another'])
    const failing = () => Promise.reject(new Error('the store is gone'))
    await expect(pool.produce(lazy, failing)).rejects.toThrow('the store is gone')
    // The thread goes on with the next document.
    expect(bytesOf(await pool.produce(full))).toEqual(bytesOf(produced))
  })

  it('produces a document in-process, once, when the pool closes while its rows are read', async () => {
    pool = createWorkerPool(1)
    const full = request(4)
    const lazy = { ...full, planned: { ...full.planned, articles: [] } }
    let release: () => void = () => undefined
    const gate = new Promise<void>((resolve) => (release = resolve))
    let reads = 0
    const rows = async () => {
      reads += 1
      await gate
      return full.planned.articles
    }
    const { Worker } = await import('node:worker_threads')
    const post = Worker.prototype.postMessage
    let posted = 0
    Worker.prototype.postMessage = function (this: InstanceType<typeof Worker>, ...args) {
      posted += 1
      return post.apply(this, args as Parameters<typeof post>)
    }
    try {
      const producing = pool.produce(lazy, rows)
      await until('the rows are being read', () => reads === 1)
      await pool.close()
      release()
      const expected = await produceDocument({ ...full, renderers: RENDERERS })
      expect(bytesOf(await producing)).toEqual(bytesOf(expected))
      // Read again for the in-process fallback; the read the thread started sent nothing.
      expect(reads).toBe(2)
      expect(posted).toBe(0)
    } finally {
      Worker.prototype.postMessage = post
    }
  })

  it('ends idle threads after a while, and starts them again for the next document', async () => {
    const errors: string[] = []
    const { Worker } = await import('node:worker_threads')
    const terminate = Worker.prototype.terminate
    let ended = 0
    Worker.prototype.terminate = function (this: InstanceType<typeof Worker>) {
      ended += 1
      return terminate.call(this)
    }
    try {
      pool = createWorkerPool(1, { log: { error: (m) => errors.push(m) }, idleMs: 50 })
      const first = await pool.produce(request(4))
      expect(ended).toBe(0)
      await until('the idle thread ended', () => ended > 0)
      expect(ended).toBe(1)
      const again = await pool.produce(request(4))
      expect(bytesOf(again)).toEqual(bytesOf(first))
      expect(again.formats.every((f) => 'output' in f && isCompressed(f.output))).toBe(true)
      // An ended thread's exit is no failure: nothing was replaced or logged.
      expect(errors).toEqual([])
    } finally {
      Worker.prototype.terminate = terminate
    }
  })

  it('replaces a thread that dies holding a document, and the document is still produced', async () => {
    const errors: string[] = []
    pool = createWorkerPool(1, { log: { error: (m) => errors.push(m) } })
    await pool.produce(request(1))
    const { result, killed } = await killingTheFirstTaken(() => pool!.produce(request(5)))
    expect(bytesOf(result)).toEqual(bytesOf(await inProcess(request(5))))
    expect(killed).toBe(true)
    expect(errors).toEqual(['build threads: a worker failed; starting another'])
    // The replacement serves the next documents.
    const after = await pool.produce(request(2))
    expect(after.formats.every((f) => 'output' in f && isCompressed(f.output))).toBe(true)
  })

  it('keeps replacing threads that fail now and then, as long as threads produce documents between', async () => {
    const errors: string[] = []
    pool = createWorkerPool(1, { log: { error: (m) => errors.push(m) } })
    for (let n = 0; n <= REPLACEMENTS; n += 1) {
      const { result, killed } = await killingTheFirstTaken(() => pool!.produce(request(5)))
      expect(killed).toBe(true)
      expect(result.formats.every((f) => 'output' in f && isCompressed(f.output))).toBe(true)
    }
    expect(errors).toHaveLength(REPLACEMENTS + 1)
    expect(new Set(errors)).toEqual(new Set(['build threads: a worker failed; starting another']))
    // Still on a thread (compressed there), not given up for in-process.
    const after = await pool.produce(request(2))
    expect(after.formats.every((f) => 'output' in f && isCompressed(f.output))).toBe(true)
  })

  it('produces a document too large for the threads’ memory in-process, with the same bytes', async () => {
    const errors: string[] = []
    // Too little heap for a thread to load its modules, let alone render: every thread fails.
    pool = createWorkerPool(1, {
      log: { error: (m) => errors.push(m) },
      limits: { maxOldGenerationSizeMb: 2, maxYoungGenerationSizeMb: 1 },
    })
    const produced = await pool.produce(request(5))
    const alone = await produceDocument({ ...request(5), renderers: RENDERERS })
    expect(bytesOf(produced)).toEqual(bytesOf(alone))
    // The first thread failed with it, and the one that took its place: then in-process.
    expect(errors).toEqual([
      'build threads: a worker failed; starting another',
      'build threads: a worker failed; starting another',
    ])
  })

  it('gives a thread the oldest document, but never a second large one at a time', () => {
    const queue = [{ large: true }, { large: false }, { large: true }]
    expect(nextIndex(queue, false)).toBe(0)
    expect(nextIndex(queue, true)).toBe(1)
    expect(nextIndex([{ large: true }], true)).toBe(-1)
    expect(nextIndex([], false)).toBe(-1)
  })

  it('produces large and small documents on two threads, each as in-process', async () => {
    const errors: unknown[] = []
    pool = createWorkerPool(2, { log: { error: (m) => errors.push(m) } })
    const large = (input: ProduceRequest): ProduceRequest => ({
      ...input,
      planned: { ...input.planned, bytes: LARGE_DOCUMENT_BYTES + 1 },
    })
    const inputs = [
      large(request(30)),
      large(request(31)),
      request(5),
      large(request(32)),
      request(6),
    ]
    const produced = await Promise.all(inputs.map((input) => pool!.produce(input)))
    expect(errors).toEqual([])
    for (const [i, input] of inputs.entries())
      expect(bytesOf(produced[i]!)).toEqual(bytesOf(await inProcess(input)))
  })

  it('transfers every buffer of a produced document, none twice', () => {
    const body = new TextEncoder().encode('<rss/>')
    const encoded = compressSync(body)
    const output = {
      urlPath: '/feeds/rss.xml',
      feedKey: 'site',
      format: 'rss' as const,
      contentType: 'application/rss+xml',
      body,
      etag: '"x"',
      lastModified: new Date(0),
      encoded,
    }
    const produced: ProducedDocument = {
      path: '',
      archive: false,
      formats: [{ output }],
      timings: { renderMs: 0, checkMs: 0, encodeMs: 0 },
    }
    const list = transferables(produced)
    expect(list).toEqual([body.buffer, encoded.br.buffer, encoded.gzip.buffer])
    expect(new Set(list).size).toBe(3)
    // Each is the buffer's own, not a pooled one shared with other buffers.
    expect(list.map((b) => b.byteLength)).toEqual([
      body.byteLength,
      encoded.br.byteLength,
      encoded.gzip.byteLength,
    ])
  })
})
