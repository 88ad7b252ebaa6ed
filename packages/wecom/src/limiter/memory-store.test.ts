import { MemoryQuotaStore } from './memory-store.ts';
import { quotaStoreContract } from './store.contract.ts';

const store = new MemoryQuotaStore();
quotaStoreContract('MemoryQuotaStore', { open: async () => store, shared: false });
