// Numbered schema steps for the PostgreSQL adapter, recorded in schema_migrations.
// Same tables, keys and indexes as the SQLite steps. Text columns that are compared or ordered use
// COLLATE "C" (byte order), so ordering and cursors behave exactly as they do in SQLite.

/** Step N (1-based) brings the schema from version N-1 to N. Never edit a released step. */
export const POSTGRES_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE articles (
    id           text COLLATE "C" PRIMARY KEY,
    published_at text COLLATE "C" NOT NULL,
    updated_at   text COLLATE "C" NOT NULL,
    body         text NOT NULL
  );
  CREATE INDEX articles_newest ON articles (published_at, id);

  CREATE TABLE article_facets (
    kind         text COLLATE "C" NOT NULL,
    slug         text COLLATE "C" NOT NULL,
    article_id   text COLLATE "C" NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    published_at text COLLATE "C" NOT NULL,
    PRIMARY KEY (kind, slug, article_id)
  );
  CREATE INDEX article_facets_newest ON article_facets (kind, slug, published_at, article_id);
  CREATE INDEX article_facets_article ON article_facets (article_id);

  CREATE TABLE facets (
    kind  text COLLATE "C" NOT NULL,
    slug  text COLLATE "C" NOT NULL,
    label text NOT NULL,
    count integer NOT NULL,
    PRIMARY KEY (kind, slug)
  );

  CREATE TABLE deletions (
    article_id text COLLATE "C" PRIMARY KEY,
    deleted_at text COLLATE "C" NOT NULL
  );
  CREATE INDEX deletions_latest ON deletions (deleted_at);

  CREATE TABLE deleted_facets (
    kind       text COLLATE "C" NOT NULL,
    slug       text COLLATE "C" NOT NULL,
    article_id text COLLATE "C" NOT NULL,
    deleted_at text COLLATE "C" NOT NULL,
    PRIMARY KEY (kind, slug, article_id)
  );
  CREATE INDEX deleted_facets_latest ON deleted_facets (kind, slug, deleted_at);
  CREATE INDEX deleted_facets_article ON deleted_facets (article_id);

  CREATE TABLE changes (
    seq  bigserial PRIMARY KEY,
    kind text NOT NULL,
    slug text NOT NULL
  );
  `,
  `
  CREATE TABLE build_reports (
    id   integer PRIMARY KEY,
    body text NOT NULL
  );
  `,
  `
  CREATE SEQUENCE build_ids;
  CREATE TABLE build_state (name text PRIMARY KEY, value bigint NOT NULL);
  `,
  `
  -- Outputs of the latest builds, shared by every instance; version orders the changes, and a
  -- removed feed stays as a row with removed = true so that instances learn to take it down.
  CREATE SEQUENCE output_versions;
  CREATE TABLE published_outputs (
    url_path      text COLLATE "C" PRIMARY KEY,
    version       bigint NOT NULL,
    removed       boolean NOT NULL DEFAULT false,
    feed_key      text NOT NULL,
    format        text NOT NULL,
    content_type  text NOT NULL,
    body          bytea,
    etag          text NOT NULL,
    last_modified timestamptz NOT NULL
  );
  CREATE INDEX published_outputs_version ON published_outputs (version);
  `,
  `
  INSERT INTO article_facets (kind, slug, article_id, published_at)
    SELECT 'month', substr(published_at, 1, 7), id, published_at FROM articles;
  INSERT INTO facets (kind, slug, label, count)
    SELECT 'month', substr(published_at, 1, 7), substr(published_at, 1, 7), COUNT(*)
    FROM articles GROUP BY substr(published_at, 1, 7);

  CREATE TABLE subscriptions (
    topic         text COLLATE "C" NOT NULL,
    callback      text COLLATE "C" NOT NULL,
    secret        text,
    lease_seconds integer NOT NULL,
    expires_at    text COLLATE "C" NOT NULL,
    delivered_etag text,
    PRIMARY KEY (topic, callback)
  );
  CREATE INDEX subscriptions_expiry ON subscriptions (expires_at);
  `,
  `
  -- Item and feed ids come from a scheme recorded once (feeds/ids.ts). A store that may already
  -- have published URL ids (<SITE_URL>/articles/<id>) is marked here with no base; its next build
  -- records the SITE_URL of then as their base, so the ids it published never change.
  CREATE TABLE id_scheme (
    name      text PRIMARY KEY,
    kind      text NOT NULL,
    authority text,
    date      text
  );
  INSERT INTO id_scheme (name, kind)
    SELECT 'items', 'url'
    WHERE EXISTS (SELECT 1 FROM articles) OR EXISTS (SELECT 1 FROM deletions)
      OR EXISTS (SELECT 1 FROM build_state);
  `,
  `
  -- Articles not due yet (drafts: due_at NULL; scheduled: due_at in the future), kept aside from
  -- every index until the builder releases them (articles/schedule.ts).
  CREATE TABLE pending_articles (
    id     text COLLATE "C" PRIMARY KEY,
    due_at text COLLATE "C",
    body   text NOT NULL
  );
  CREATE INDEX pending_articles_due ON pending_articles (due_at);
  `,
]
