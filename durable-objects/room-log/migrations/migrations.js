import journal from './meta/_journal.json';
import m0000 from './0000_room_log.sql';
import m0001 from './0001_member_flags.sql';
import m0002 from './0002_messages_keep_room_current.sql';

  export default {
    journal,
    migrations: {
      m0000,
m0001,
m0002
    }
  }
  