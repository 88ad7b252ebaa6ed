import { MemoryTokenStore } from './memory-store.ts';
import { tokenStoreContract } from './store.contract.ts';

const store = new MemoryTokenStore();
tokenStoreContract('MemoryTokenStore', { open: async () => store, shared: false });
