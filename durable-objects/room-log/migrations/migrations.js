import journal from './meta/_journal.json';
import m0000 from './0000_room_log.sql';
import m0001 from './0001_member_flags.sql';

  export default {
    journal,
    migrations: {
      m0000,
m0001
    }
  }
  