// The lbctl binary.
import { main } from './main.js';

await main();
