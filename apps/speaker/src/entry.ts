// The lb-speaker binary.
import { main } from './main.js';

await main();
