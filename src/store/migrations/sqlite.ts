// Numbered schema steps for the SQLite adapter; PRAGMA user_version records how many ran.

/** Step N (1-based) brings the schema from version N-1 to N. Never edit a released step. */
export const SQLITE_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE articles (
    id           TEXT PRIMARY KEY,
    published_at TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    body         TEXT NOT NULL
  );
  -- "newest N of the site": an index walk and LIMIT, whatever the table's size
  CREATE INDEX articles_newest ON articles (published_at, id);

  CREATE TABLE article_facets (
    kind         TEXT NOT NULL,
    slug         TEXT NOT NULL,
    article_id   TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    published_at TEXT NOT NULL,
    PRIMARY KEY (kind, slug, article_id)
  ) WITHOUT ROWID;
  -- "newest N of a category, tag or author"
  CREATE INDEX article_facets_newest ON article_facets (kind, slug, published_at, article_id);
  CREATE INDEX article_facets_article ON article_facets (article_id);

  -- counts kept up to date by every write, so listing facets does not scan the articles
  CREATE TABLE facets (
    kind  TEXT NOT NULL,
    slug  TEXT NOT NULL,
    label TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (kind, slug)
  ) WITHOUT ROWID;

  CREATE TABLE deletions (
    article_id TEXT PRIMARY KEY,
    deleted_at TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX deletions_latest ON deletions (deleted_at);

  CREATE TABLE deleted_facets (
    kind       TEXT NOT NULL,
    slug       TEXT NOT NULL,
    article_id TEXT NOT NULL,
    deleted_at TEXT NOT NULL,
    PRIMARY KEY (kind, slug, article_id)
  ) WITHOUT ROWID;
  CREATE INDEX deleted_facets_latest ON deleted_facets (kind, slug, deleted_at);
  CREATE INDEX deleted_facets_article ON deleted_facets (article_id);

  -- one row per selection a write touched; the builder asks for rows after its last marker
  CREATE TABLE changes (
    seq  INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    slug TEXT NOT NULL
  );
  `,
  `
  CREATE TABLE build_reports (
    id   INTEGER PRIMARY KEY,
    body TEXT NOT NULL
  );
  `,
  `
  CREATE TABLE build_ids (id INTEGER PRIMARY KEY AUTOINCREMENT);
  CREATE TABLE build_state (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
  `,
  `
  -- Months index the archive like facets: the same table, counts and change log.
  INSERT INTO article_facets (kind, slug, article_id, published_at)
    SELECT 'month', substr(published_at, 1, 7), id, published_at FROM articles;
  INSERT INTO facets (kind, slug, label, count)
    SELECT 'month', substr(published_at, 1, 7), substr(published_at, 1, 7), COUNT(*)
    FROM articles GROUP BY substr(published_at, 1, 7);

  CREATE TABLE subscriptions (
    topic         TEXT NOT NULL,
    callback      TEXT NOT NULL,
    secret        TEXT,
    lease_seconds INTEGER NOT NULL,
    expires_at    TEXT NOT NULL,
    delivered_etag TEXT,
    PRIMARY KEY (topic, callback)
  ) WITHOUT ROWID;
  CREATE INDEX subscriptions_expiry ON subscriptions (expires_at);
  `,
  `
  -- Item and feed ids come from a scheme recorded once (feeds/ids.ts). A store that may already
  -- have published URL ids (<SITE_URL>/articles/<id>) is marked here with no base; its next build
  -- records the SITE_URL of then as their base, so the ids it published never change.
  CREATE TABLE id_scheme (
    name      TEXT PRIMARY KEY,
    kind      TEXT NOT NULL,
    authority TEXT,
    date      TEXT
  ) WITHOUT ROWID;
  INSERT INTO id_scheme (name, kind)
    SELECT 'items', 'url'
    WHERE EXISTS (SELECT 1 FROM articles) OR EXISTS (SELECT 1 FROM deletions)
      OR EXISTS (SELECT 1 FROM build_state);
  `,
  `
  -- Articles not due yet (drafts: due_at NULL; scheduled: due_at in the future), kept aside from
  -- every index until the builder releases them (articles/schedule.ts).
  CREATE TABLE pending_articles (
    id     TEXT PRIMARY KEY,
    due_at TEXT,
    body   TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX pending_articles_due ON pending_articles (due_at);
  `,
]
