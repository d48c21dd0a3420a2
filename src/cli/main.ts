import { Command } from 'commander';
import { z } from 'zod';
import { loadConfig } from '../config/config.js';
import { version } from '../server/version.js';
import { serveCommand } from './serve.js';
import { migrateCommand } from './migrate.js';
import { userCreateCommand } from './user.js';
import { apiKeyCreateCommand } from './apikey.js';
import { doctorCommand } from './doctor.js';
import { chatCommand } from './chat.js';
import { evalCommand } from './eval.js';
import { exportCommand, importCommand } from './import-export.js';
import { workerCommand } from './worker.js';

const program = new Command()
  .name('clara')
  .description('Clara, the voice-first AI sales CRM')
  .version(version)
  .showHelpAfterError();

program.command('serve').description('Run the server (embedded PostgreSQL unless DATABASE_URL is set)').action(async () => {
  await serveCommand(loadConfig());
});

program.command('migrate').description('Apply pending database migrations').action(async () => {
  await migrateCommand(loadConfig());
});

program
  .command('worker')
  .description('Run background jobs (webhook deliveries, ...) apart from the server; needs the shared DATABASE_URL')
  .option('--concurrency <n>', 'jobs run at once (default: CLARA_WORKER_CONCURRENCY)')
  .action(async (options) => {
    await workerCommand(loadConfig(), options);
  });

const user = program.command('user').description('Manage users');
user
  .command('create')
  .description('Create a user who can sign in')
  .requiredOption('--email <email>')
  .requiredOption('--name <full name>')
  .option('--role <role>', 'admin | manager | agent | viewer', 'agent')
  .option('--password <password>', 'at least 10 characters (default: generated and printed)')
  .option('--manager <email>', "the user's manager")
  .action(async (options) => {
    await userCreateCommand(loadConfig(), options);
  });

const apikey = program.command('apikey').description('Manage API keys');
apikey
  .command('create')
  .description('Create an API key; prints it once')
  .requiredOption('--role <role>', 'admin | manager | agent | viewer')
  .option('--name <name>', 'what the key is for', 'cli')
  .action(async (options) => {
    await apiKeyCreateCommand(loadConfig(), options);
  });

program.command('doctor').description('Check the database, migrations and configuration').action(async () => {
  process.exitCode = await doctorCommand(loadConfig());
});

program
  .command('import')
  .description('Import leads, clients or contacts from a CSV file, with a progress bar; exit code 1 if any row failed')
  .argument('<entity>', 'leads | clients | contacts')
  .argument('<file>', 'the CSV file')
  .option('--map <mapping>', 'columns to fields: "CSV Header=field,Other=field" (an empty field ignores the column)')
  .option('--dedupe <mode>', 'a row matching an existing record: update | skip | create', 'update')
  .option('--as <email>', 'the user to import as (default: the first active admin)')
  .action(async (entity: string, file: string, options) => {
    process.exitCode = await importCommand(loadConfig(), entity, file, options);
  });

program
  .command('export')
  .description('Export leads, clients or contacts as CSV, with the filters of the list API')
  .argument('<entity>', 'leads | clients | contacts')
  .option('--out <file>', 'write to this file (default: standard output)')
  .option('--filter <filters>', 'list filters: "status_bucket=P1,P2,agent_id=null" (repeatable)', (value: string, previous: string[]) => [...previous, value], [] as string[])
  .option('--as <email>', 'the user to export as (default: the first active admin)')
  .action(async (entity: string, options) => {
    await exportCommand(loadConfig(), entity, options);
  });

program
  .command('chat')
  .description('Talk to Clara in the terminal as a prospect, and see what it extracts and scores')
  .option('--channel <channel>', 'web | sms | voice', 'web')
  .option('--from <phone>', "the prospect's phone number (as caller ID)")
  .option('--country <code>', 'ISO country for phone numbers said without a country code (default: CLARA_DEFAULT_COUNTRY)')
  .option('--url <url>', 'a running Clara server (default: this database, in process)')
  .option('--key <key>', 'API key for --url (default: the CLARA_API_KEY environment variable)')
  .action(async (options) => {
    await chatCommand(loadConfig(), options);
  });

program
  .command('eval')
  .description('Replay scripted conversations through the API and print the accuracy of each extracted field')
  .argument('<file>', 'JSON array of {name, channel, default_country?, turns: [...], expected: {field: value}} (see docs/agent.md)')
  .option('--floor <ratio>', 'exit 1 when overall accuracy is below this, e.g. 0.9')
  .option('--misses', 'list every miss with what was said')
  .option('--time-zone <zone>', "the server's CLARA_TIMEZONE, for relative meeting times (default: CLARA_TIMEZONE here)")
  .option('--url <url>', 'a running Clara server (default: this database, in process)')
  .option('--key <key>', 'API key for --url (default: the CLARA_API_KEY environment variable)')
  .action(async (file: string, options) => {
    process.exitCode = await evalCommand(loadConfig(), file, options);
  });

program.parseAsync().catch((error: unknown) => {
  const message =
    error instanceof z.ZodError
      ? error.issues.map((issue) => `${issue.path.join('.') || 'input'}: ${issue.message}`).join('\n  ')
      : error instanceof Error
        ? error.message
        : String(error);
  process.stderr.write(`clara: ${message}\n`);
  process.exitCode = 1;
});
