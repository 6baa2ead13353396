"""Email notifications: exam assigned, a reminder before the window opens, results published."""
