/** The CLI as one bundle for the GPU machine (scripts/device/build.sh): what bin/attend.js runs. */
import { main } from '../../src/cli/main.js';

const code = await main(process.argv);
process.exit(code);
