module agstate

go 1.19
