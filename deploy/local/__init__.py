"""The local stack: every infrastructure component as a process on 127.0.0.1, data in $SOEMS_HOME."""
