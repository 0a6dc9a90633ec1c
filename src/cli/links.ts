// `feedwright links`: the <link rel="alternate"> tags a site pastes into its own pages' <head>.
import { loadConfig } from '../config.js'
import { alternateLinks } from '../feeds/render/alternate-links.js'
import { OPML_PATH, siteFeedUrls } from '../feeds/paths.js'
import { type Command, UsageError } from './io.js'

export const LINKS_HELP = `Usage: feedwright links

Prints the <link rel="alternate"> tags of the site feed (RSS, Atom, JSON Feed) for the <head> of
your site's pages, so that browsers and feed readers find the feeds. URLs come from site.url in
feedwright.config.json (or SITE_URL).`

/** The tags, and where the list of every feed is, as printed by `links` and `init`. */
export const describeLinks = (site: { title: string; url: string }): string[] => [
  "Paste into the <head> of your site's pages, so that readers find the feeds:",
  '',
  ...alternateLinks(site.title, siteFeedUrls(site.url))
    .split('\n')
    .map((line) => `  ${line}`),
  '',
  `Every feed (categories, tags, authors) at once, for a reader's import: ${site.url}${OPML_PATH}`,
]

export const links: Command = async (args, io) => {
  if (args.length > 0) throw new UsageError(`links takes no arguments (got ${args.join(' ')})`)
  for (const line of describeLinks(loadConfig(io.env).site)) io.out(line)
  return 0
}
