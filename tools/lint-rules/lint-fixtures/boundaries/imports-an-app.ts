// Linted as if it were in a library, a tool and a test: nothing imports an app.
import { AllocationState } from '@lb/controller';

export const state = AllocationState;
