import { forEachBackend } from './backends';
import { linkStoreContract } from './contract';

// One contract, every backend: what passes on SQLite must pass on PostgreSQL.
forEachBackend('link store', linkStoreContract);
