/**
 * test/server/api.test.ts again, on a PostgreSQL case (the same checks on both back-ends).
 * Runs when TROVE_TEST_PG names a server (.ci/run starts one); skipped, saying why, otherwise.
 */
import { describe, it } from 'vitest';
import { skipPg } from '../store/backend.ts';

if (skipPg()) {
  describe.skip('api suite on PostgreSQL (TROVE_TEST_PG not set)', () => it('needs TROVE_TEST_PG', () => {}));
} else {
  process.env.TROVE_TEST_BACKEND = 'postgres';
  await import('../server/api.test.ts');
}
