// What every CLI command shares: its streams, usage errors, progress lines and reading inputs.
import { readFile, stat } from 'node:fs/promises'
import { createInterface } from 'node:readline/promises'
import { parseArgs, type ParseArgsConfig } from 'node:util'

export interface CliIo {
  out: (line: string) => void
  err: (line: string) => void
  env: Record<string, string | undefined>
  /** Progress only where a person watches: stderr is a terminal. */
  isTty: boolean
  /** Asks a person a question; absent when stdin and stdout are not a terminal (scripts, CI). */
  ask?: (question: string) => Promise<string>
}

/** A mistake in how the command was called: one line and exit code 2, never a stack trace. */
export class UsageError extends Error {
  override readonly name = 'UsageError'
}

export type Command = (args: string[], io: CliIo) => Promise<number>

export const processIo = (): CliIo => ({
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  env: process.env,
  isTty: process.stderr.isTTY === true,
  ...(process.stdin.isTTY &&
    process.stdout.isTTY && {
      ask: async (question: string) => {
        const prompt = createInterface({ input: process.stdin, output: process.stdout })
        try {
          return await prompt.question(question)
        } finally {
          prompt.close()
        }
      },
    }),
})

/** A progress reporter that redraws one terminal line, and does nothing when not on a TTY. */
export const progress = (io: CliIo, label: string) => {
  let last = 0
  return {
    update(done: number, total: number) {
      const now = Date.now()
      if (!io.isTty || (now - last < 100 && done < total)) return
      last = now
      process.stderr.write(`\r${label} ${done}/${total}${done === total ? '\n' : ''}`)
    },
  }
}

const FETCH_TIMEOUT_MS = 15_000

/** Inputs larger than this are refused unless a command lets the caller raise it. */
export const DEFAULT_MAX_BYTES = 64 * 1024 * 1024

/** The text (UTF-8) of a local file or of an http(s) URL, at most DEFAULT_MAX_BYTES. */
export const readSource = async (source: string): Promise<string> =>
  Buffer.from((await readSourceBytes(source, DEFAULT_MAX_BYTES)).bytes).toString('utf8')

/** A document's bytes and, from HTTP, the charset its Content-Type declares. */
export interface SourceBytes {
  bytes: Uint8Array
  charset?: string
}

const tooLarge = (source: string, maxBytes: number): Error =>
  new Error(
    `${source} is larger than ${maxBytes} bytes; raise the limit with --max-bytes if it is meant`,
  )

/**
 * The bytes of a local file or an http(s) URL, refused past `maxBytes` (a file by its size before
 * reading; a response by Content-Length, else while streaming), so a huge input fails in seconds
 * with a clear message instead of exhausting memory.
 */
export const readSourceBytes = async (source: string, maxBytes: number): Promise<SourceBytes> => {
  if (/^https?:\/\//i.test(source)) {
    const response = await fetch(source, {
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
      headers: { accept: 'application/rss+xml, application/atom+xml, application/feed+json, */*' },
    })
    if (!response.ok)
      throw new Error(`${source} answered ${response.status} ${response.statusText}`)
    if (Number(response.headers.get('content-length') ?? 0) > maxBytes) {
      await response.body?.cancel()
      throw tooLarge(source, maxBytes)
    }
    const chunks: Uint8Array[] = []
    let size = 0
    for await (const chunk of response.body ?? []) {
      size += chunk.byteLength
      if (size > maxBytes) throw tooLarge(source, maxBytes)
      chunks.push(chunk)
    }
    const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(
      response.headers.get('content-type') ?? '',
    )?.[1]
    return { bytes: Buffer.concat(chunks), ...(charset && { charset }) }
  }
  try {
    if ((await stat(source)).size > maxBytes) throw tooLarge(source, maxBytes)
    return { bytes: await readFile(source) }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (!code) throw error
    throw new Error(
      code === 'ENOENT' ? `${source}: no such file` : `${source}: cannot read (${code})`,
    )
  }
}

/**
 * A command's options and positional arguments (`--name value`, `--name=value`, switches), by
 * node:util parseArgs; an unknown option or a missing value is a usage error.
 */
export const parseOptions = <T extends NonNullable<ParseArgsConfig['options']>>(
  args: string[],
  options: T,
) => {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true })
  } catch (error) {
    throw new UsageError(
      (error instanceof Error ? error.message : String(error)).replace(/\. To specify.*$/s, ''),
    )
  }
}
