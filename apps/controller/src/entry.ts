// The lb-controller binary.
import { main } from './main.js';

await main();
