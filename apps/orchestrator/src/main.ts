import { startService } from '@dta/booking';
import { AppModule } from './app.module';

void startService(AppModule, 'Orchestrator');
