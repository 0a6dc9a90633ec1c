// `feedwright init`: the configuration of a new site of one's own, asked for or taken from flags.
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, rename, rm, writeFile } from 'node:fs/promises'
import { join, relative, resolve } from 'node:path'
import { loadConfig } from '../config.js'
import { ConfigError } from '../lib/errors.js'
import { type CliIo, type Command, parseOptions, UsageError } from './io.js'
import { describeLinks } from './links.js'

export const INIT_HELP = `Usage: feedwright init [--title T] [--url U] [--language L] [--description D]
                      [--author A] [--dir D] [--yes] [--force]

Writes feedwright.config.json for a new site (in the current folder, or --dir D). It starts with no
articles: only the demo's configuration seeds any.

  --title        the site's name, shown by feed readers            (required)
  --url          the site's public URL, e.g. https://blog.example.com (required)
  --language     the articles' language tag                         (default: en)
  --description  one line about the site          (default: "Articles from <title>")
  --author       who publishes it, for the copyright line           (optional)
  --dir          the folder to write to                              (default: .)
  --yes          take the defaults for anything not given
  --force        overwrite an existing feedwright.config.json

On a terminal, what is missing is asked for; otherwise init fails naming it.`

const FILE = 'feedwright.config.json'

interface Field {
  flag: 'title' | 'url' | 'language' | 'description' | 'author'
  question: string
  /** The value --yes takes (and a prompt offers); undefined: the field is left out. */
  fallback: (answers: Partial<Record<Field['flag'], string>>) => string | undefined
  required: boolean
}

const FIELDS: readonly Field[] = [
  { flag: 'title', question: 'Site title', fallback: () => 'My feedwright site', required: true },
  {
    flag: 'url',
    question: 'Public URL of the site',
    fallback: () => 'http://localhost:3000',
    required: true,
  },
  { flag: 'language', question: 'Language', fallback: () => 'en', required: false },
  {
    flag: 'description',
    question: 'Description',
    fallback: (a) => `Articles from ${a.title}`,
    required: false,
  },
  { flag: 'author', question: 'Author (optional)', fallback: () => undefined, required: false },
]

/** Each field from its flag, a prompt on a terminal, or its default with --yes. */
const collect = async (
  io: CliIo,
  values: Partial<Record<Field['flag'], string>>,
  yes: boolean,
): Promise<Partial<Record<Field['flag'], string>>> => {
  const answers: Partial<Record<Field['flag'], string>> = {}
  const missing: string[] = []
  for (const field of FIELDS) {
    const fallback = field.fallback(answers)
    let value = values[field.flag]?.trim()
    if (value === undefined && !yes && io.ask) {
      const answer = (await io.ask(`${field.question}${fallback ? ` [${fallback}]` : ''}: `)).trim()
      value = answer === '' ? fallback : answer
    }
    if (value === undefined && (yes || !field.required)) value = fallback
    if (value === undefined || value === '') {
      if (field.required) missing.push(`--${field.flag}`)
      continue
    }
    answers[field.flag] = value
  }
  if (missing.length > 0)
    throw new UsageError(
      `missing ${missing.join(' and ')} (or --yes for the defaults; on a terminal init asks)`,
    )
  return answers
}

// Config paths as the flags that set them, so that an error names what to change.
const asFlags = (message: string): string =>
  message.replace(/site\.(title|url|language|description|copyright)/g, (_, key: string) =>
    key === 'copyright' ? '--author' : `--${key}`,
  )

export const init: Command = async (args, io) => {
  const { values, positionals } = parseOptions(args, {
    title: { type: 'string' },
    url: { type: 'string' },
    language: { type: 'string' },
    description: { type: 'string' },
    author: { type: 'string' },
    dir: { type: 'string' },
    yes: { type: 'boolean' },
    force: { type: 'boolean' },
  })
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`)
  const dir = resolve(values.dir ?? '.')
  const target = join(dir, FILE)
  if (existsSync(target) && !values.force) {
    io.err(`feedwright init: ${target} exists; run with --force to overwrite it`)
    return 1
  }
  const answers = await collect(io, values, values.yes === true)
  const site = {
    title: answers.title,
    description: answers.description,
    url: answers.url,
    language: answers.language,
    ...(answers.author && { copyright: `© ${new Date().getFullYear()} ${answers.author}` }),
  }
  // No seedFrom: a site of one's own never receives the demo's articles.
  const text = `${JSON.stringify({ site }, null, 2)}\n`
  await mkdir(dir, { recursive: true })
  // Validated as `serve` will read it, before it replaces anything.
  const draft = join(dir, `.${FILE}.${process.pid}.tmp`)
  await writeFile(draft, text)
  try {
    loadConfig({ FEEDWRIGHT_CONFIG: draft }, dir)
  } catch (error) {
    await rm(draft, { force: true })
    if (error instanceof ConfigError)
      throw new UsageError(asFlags(error.message.replace(draft, FILE)))
    throw error
  }
  await rename(draft, target)
  const config = loadConfig({}, dir)
  const where = relative(process.cwd(), dir)
  const token = randomBytes(24).toString('hex')
  for (const line of [
    `Wrote ${target} for "${config.site.title}" (${config.site.url}); the site starts with no articles.`,
    '',
    'Next, start it with an admin token (the API that adds articles needs it):',
    '',
    `  export FEEDWRIGHT_ADMIN_TOKEN=${token}`,
    `  ${where ? `cd ${where} && ` : ''}npx feedwright serve`,
    '',
    'Then POST an article (README, "Your own site"); the feeds follow within seconds.',
    '',
    ...describeLinks(config.site),
  ])
    io.out(line)
  return 0
}
