import { runMain } from '@shoal/bootstrap';
import { appSpec } from './app';

void runMain(appSpec);
