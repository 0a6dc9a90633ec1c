#!/usr/bin/env node
// The `feedwright` command: dispatches to one file per subcommand; no logic of its own.
import { readFile } from 'node:fs/promises'
import { ARTICLES_HELP, articles } from './cli/articles.js'
import { BUILD_HELP, build } from './cli/build.js'
import { CONFIG_HELP, configCommand } from './cli/config.js'
import { IMPORT_HELP, importCommand } from './cli/import.js'
import { INIT_HELP, init } from './cli/init.js'
import { LINKS_HELP, links } from './cli/links.js'
import { type Command, processIo, UsageError } from './cli/io.js'
import { SERVE_HELP, serve } from './cli/serve.js'
import { VALIDATE_HELP, validate } from './cli/validate.js'
import { closest } from './lib/closest.js'

const COMMANDS: Readonly<Record<string, { run: Command; help: string }>> = {
  init: { run: init, help: INIT_HELP },
  serve: { run: serve, help: SERVE_HELP },
  build: { run: build, help: BUILD_HELP },
  validate: { run: validate, help: VALIDATE_HELP },
  import: { run: importCommand, help: IMPORT_HELP },
  articles: { run: articles, help: ARTICLES_HELP },
  config: { run: configCommand, help: CONFIG_HELP },
  links: { run: links, help: LINKS_HELP },
}

const HELP = `Usage: feedwright <command> [arguments]

Commands:
  init [--title T --url U …]  write feedwright.config.json for a site of your own
  serve                       run the service (what npm start runs)
  build                       build every feed once into feeds/, no server
  validate <file-or-URL>...   check any RSS, Atom or JSON feed
  import <file-or-URL>        import a feed's items as articles
  articles add <file.json>    add or replace articles from a JSON file
  articles rm <id>            delete an article
  articles sanitize           sanitise the HTML of articles stored before (once, after upgrading)
  config                      print the effective configuration and each value's source
  links                       print the <link rel="alternate"> tags for your pages

Options: --version, --help

Run "feedwright <command> --help" for one command.`

/** The package's version, from the package.json beside src/ or dist/. */
const version = async (): Promise<string> => {
  const pkg: unknown = JSON.parse(
    await readFile(new URL('../package.json', import.meta.url), 'utf8'),
  )
  return `feedwright ${(pkg as { version: string }).version}`
}

const main = async (argv: string[]): Promise<number> => {
  const io = processIo()
  const [name, ...args] = argv
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.out(HELP)
    return 0
  }
  if (name === '--version' || name === '-v' || name === 'version') {
    io.out(await version())
    return 0
  }
  const command = COMMANDS[name]
  if (!command) {
    const near = closest(name, Object.keys(COMMANDS))
    io.err(
      `feedwright: unknown command "${name}"${near ? `; did you mean "${near}"?` : ''}\n\n${HELP}`,
    )
    return 2
  }
  if (args.includes('--help') || args.includes('-h')) {
    io.out(command.help)
    return 0
  }
  try {
    return await command.run(args, io)
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`feedwright ${name}: ${error.message}\nRun "feedwright ${name} --help" for usage.`)
      return 2
    }
    io.err(`feedwright ${name}: ${error instanceof Error ? error.message : String(error)}`)
    if (io.env.FEEDWRIGHT_DEBUG) io.err(error instanceof Error ? (error.stack ?? '') : '')
    return 1
  }
}

process.exitCode = await main(process.argv.slice(2))
