enum BadgesPlaceholder {}
