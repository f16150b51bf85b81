/**
 * The input both back-ends ingest in the server-mode tests (read in place from ../shared).
 */
import { join } from 'node:path';
import { CORPORA, REPO } from '../helpers/corpora.ts';

/** A few hundred messages across formats: .msg, MIME edge cases, a .pst, mboxes, the demo zip. */
export const MIX = [
  join(CORPORA, 'msg'),
  join(CORPORA, 'mimekit'),
  join(CORPORA, 'pst/enron.pst'),
  ...['asterix-dev-201709-mailarchivesao', 'maven_duplicates_2017_listsao_1', 'maven_duplicates_2017_mboxvm', 'nexus-html-only', 'httpd-users-200606-part', 'text_enriched', 'no_date'].map((n) => join(CORPORA, 'mbox', `${n}.mbox`)),
  join(REPO, 'demo/sample-dump.zip'),
];
