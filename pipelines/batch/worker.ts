// A batch worker process: one backend, one model, chunks in and records out over IPC.
import { initRuntime } from '../../src/runtime/select.js';
import { createProcessor, type Processor, type ProcessorOptions } from './processor.js';
import type { WorkerReply, WorkerRequest } from './protocol.js';

let processor: Processor | undefined;
const reply = (message: WorkerReply) => process.send?.(message);

process.on('message', async (message: WorkerRequest) => {
  try {
    if (message.type === 'init') {
      await initRuntime(message.backend ? { backend: message.backend } : {});
      processor = createProcessor(message.options as ProcessorOptions);
      reply({ type: 'ready' });
    } else if (message.type === 'chunk') {
      const records = await processor!.process(message.items);
      reply({ type: 'records', chunk: message.chunk, records });
    } else {
      processor?.dispose();
      process.disconnect();
    }
  } catch (error) {
    reply({ type: 'fatal', message: error instanceof Error ? error.message : String(error) });
  }
});
// The parent died (even by kill -9): nothing left to do for.
process.on('disconnect', () => process.exit(0));
