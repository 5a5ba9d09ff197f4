import { NO_POSTGRES_MESSAGE, postgresBackend, sqliteBackend } from './backends';
import { linkStoreContract } from './contract';

// One contract, every backend: what passes on SQLite must pass on PostgreSQL.
describe('SQLite link store', () => linkStoreContract(sqliteBackend()));

const postgres = postgresBackend();
if (postgres) {
  describe('PostgreSQL link store', () => linkStoreContract(postgres));
} else {
  console.warn(NO_POSTGRES_MESSAGE);
  describe.skip('PostgreSQL link store (not installed)', () => it('runs the contract', () => undefined));
}
