from patternlift_cli.cli.lean import main

if __name__ == "__main__":
    main()
